using ArmSmmu.Tests.Device;

namespace ArmSmmu.Tests.Reliability;

/// <summary>Translations compared with the reference walk of today's memory.</summary>
internal sealed partial class IsolationWorld
{
    private void TranslateAndCheck()
    {
        var stream = _c.Pick(_streams);
        uint? ssid = stream.Cds.Length > 1 && _c.Coin() ? (uint)(1 + _c.Next(stream.Cds.Length - 1)) : null;
        ulong address = PickInput(stream, ssid);
        var access = _c.Coin() ? AccessKind.Write : AccessKind.Read;
        var (outcome, pa) = Reference(stream, ssid, address);
        var actual = _h.Smmu.Translate(new TranslationRequest(stream.Sid, address, access, ssid));
        Translations++;
        bool agree = actual.Outcome == outcome &&
            (!actual.IsSuccess || actual.PhysicalAddress == pa) &&
            (outcome != TranslationOutcome.Faulted || stream.Kind == StreamKind.Abort || actual.Fault == EventType.FTranslation);
        string expected = outcome == TranslationOutcome.Faulted ? "F_TRANSLATION" : $"{outcome} {Hex(pa)}";
        Log($"translate SID {stream.Sid} SSID {(ssid is { } s ? s : "-")} {Hex(address)} {access}: {expected}");
        if (!agree)
        {
            throw new IsolationViolationException(
                $"SID {stream.Sid} SSID {(ssid is { } v ? v : "-")} {Hex(address)}: device {actual}, reference {expected}\n{_log}");
        }

        _h.DrainEvents();
    }

    private ulong PickInput(StreamState stream, uint? ssid)
    {
        List<(ulong Base, ulong Size)> leaves = stream.Cds.Length > 0 ? stream.Cds[(int)(ssid ?? 0)].Leaves : stream.Stage2?.Leaves ?? _c.Pick(_stage2).Leaves;
        if (leaves.Count > 0 && _c.Next(8) != 0)
        {
            // One of the first 4 KB pieces of a leaf, not only its first: a large leaf may be cached as several
            // smaller entries, and few pieces make a translation after a remap likely to meet one cached before.
            var (leafBase, size) = _c.Pick(leaves);
            return leafBase + (((ulong)_c.Next(8) * 0x1000) % size) + (ulong)_c.Next(0x1000);
        }

        return stream.Cds.Length > 0 ? WindowAddress(_c.Coin() ? Ttb1Window : 0, Window, 0x1000) : WindowAddress(IpaWindow, IpaWindow, 0x1000);
    }

    private (TranslationOutcome Outcome, ulong Pa) Reference(StreamState stream, uint? ssid, ulong address)
    {
        const TranslationOutcome fault = TranslationOutcome.Faulted;
        switch (stream.Kind)
        {
            case StreamKind.Abort:
                return (fault, 0);
            case StreamKind.Bypass:
                return (TranslationOutcome.Bypassed, address);
            case StreamKind.Stage2:
                return Stage2Walk(stream.Stage2!, address) is ulong s2 ? (TranslationOutcome.Translated, s2) : (fault, 0);
        }

        var space = stream.Cds[(int)(ssid ?? 0)];
        var tables = SelectTtb(space, address);
        var s2Space = stream.Kind == StreamKind.Nested ? stream.Stage2 : null;
        Func<ulong, ulong?> tableAddress = s2Space is null ? ipa => ipa : ipa => Stage2Walk(s2Space, ipa);
        if (tables is null || ReferenceWalker.Walk(_h.Memory, tables.Format, tables.Root, address, tableAddress) is not ulong output)
        {
            return (fault, 0);
        }

        ulong? pa = s2Space is null ? output : Stage2Walk(s2Space, output);
        return pa is ulong p ? (TranslationOutcome.Translated, p) : (fault, 0);
    }

    /// <summary>TTB0 for inputs whose bits above the region are all 0, TTB1 for all 1 (Arm ARM D8.2.3; TBI off).</summary>
    private static GuestTables? SelectTtb(Stage1Space space, ulong address)
    {
        if (address >> space.Ttb0.Format.InputBits == 0)
        {
            return space.Ttb0;
        }

        return space.Ttb1 is { } ttb1 && address >> ttb1.Format.InputBits == ulong.MaxValue >> ttb1.Format.InputBits ? ttb1 : null;
    }

    private ulong? Stage2Walk(Stage2Space space, ulong ipa) =>
        ipa >> space.Tables.Format.InputBits != 0 ? null : ReferenceWalker.Walk(_h.Memory, space.Tables.Format, space.Tables.Root, ipa, table => table);
}

/// <summary>The device and the reference disagreed; the message holds the whole program that led there.</summary>
internal sealed class IsolationViolationException(string message) : Exception(message);

/// <summary>Knobs of the isolation property.</summary>
internal sealed record IsolationOptions
{
    /// <summary>Leaves out nested stage-1 leaves larger than the stage-2 page (to keep a known bug out of a run).</summary>
    public bool SkipLargerStage1OverStage2 { get; init; }
}
