using ArmSmmu.Structures;

namespace ArmSmmu;

// The command queue consumer (IHI0070 §3.5, §4, §7.1).
public sealed partial class SmmuV3
{
    // Called with _lock held, after any write that may let the queue make progress: CMDQ_PROD, CR0, GERRORN.
    private void ProcessCommandQueue()
    {
        if (!Enabled(Cr0Flags.CMDQEN) || GlobalErrorActive(GerrorFlags.CMDQ_ERR))
        {
            return;
        }

        ref var queue = ref _registers.CommandQueue;

        // IHI0070 §3.5.1: PROD may be at most one full queue ahead of CONS; anything else is an inconsistent index.
        // The architecture makes it CONSTRAINED UNPREDICTABLE; this model reports it as a command error at CONS.
        if (!queue.IsConsistent)
        {
            RaiseCommandError(CommandError.Ill);
            return;
        }

        while (!queue.IsEmpty)
        {
            if (!Command.TryRead(_memory, queue.SlotAddress(queue.Cons), out var command))
            {
                RaiseCommandError(CommandError.Abt);
                return;
            }

            var error = _nonSecure is null ? Execute(command) : ExecuteSecure(command); // SmmuV3.Secure.cs
            if (error != CommandError.None)
            {
                RaiseCommandError(error);
                return;
            }

            if (_heldStallRecords.Count != 0)
            {
                // Tested here: the note's frame (a foreach over the held records) cost every command.
                NoteInvalidationOfHeldStalls(command);
            }

            _driverCheck?.OnCommand(command);
            Statistics.CountCommand(command.Opcode);
            queue.AdvanceConsumer();

            // IHI0070 §3.18: "The consumption of the CMD_SYNC must be observable to reads of the queue index registers
            // if the interrupt is observable": a CMD_SYNC signals only once CONS has passed it.
            if (command.Opcode == CommandOpcode.Sync)
            {
                SignalSyncCompletion(command);
            }
        }
    }

    private void RaiseCommandError(CommandError error)
    {
        // IHI0070 §7.1: CONS stays on the failing command, ERR is written before GERROR.CMDQ_ERR toggles.
        _registers.CommandQueue.StopOnCommandError(error);
        Statistics.CountCommandError();
        RaiseGlobalError(GerrorFlags.CMDQ_ERR);
    }

    // A case whose guard does not hold (a Secure-only form, or a stage the SMMU lacks) falls to default: CERROR_ILL.
    private CommandError Execute(in Command c)
    {
        switch (c.Opcode)
        {
            case CommandOpcode.PrefetchConfig:
            case CommandOpcode.PrefetchAddr:
                // IHI0070 §4.2: prefetches are hints; this model completes them without fetching.
                return c.SSec ? CommandError.Ill : CommandError.None;

            case CommandOpcode.CfgiSte when !c.SSec:
                _configCaches.InvalidateSte(c.StreamId); // IHI0070 §4.3.1
                return CommandError.None;

            case CommandOpcode.CfgiSteRange when !c.SSec:
                _configCaches.InvalidateSteRange(c.StreamId, (int)c.Range); // IHI0070 §4.3.2, Range 31 is CFGI_ALL
                return CommandError.None;

            case CommandOpcode.CfgiCd when !c.SSec && Features.Stage1:
                _configCaches.InvalidateCd(c.StreamId, c.SubstreamId); // IHI0070 §4.3.3
                return CommandError.None;

            case CommandOpcode.CfgiCdAll when !c.SSec && Features.Stage1:
                _configCaches.InvalidateCdAll(c.StreamId); // IHI0070 §4.3.4
                return CommandError.None;

            case CommandOpcode.TlbiNhAll when Features.Stage1:
                InvalidateVmid(c.Vmid, stage1Only: true, VmidWildcardBits);
                return CommandError.None;

            case CommandOpcode.TlbiNhAsid when Features.Stage1:
                // IHI0070 §6.3.9.1: every CMD_TLBI_* that specifies a VMID matches it under CR0.VMW (§3.17.6).
                InvalidateAsid(StreamWorld.NsEl1, c.Vmid, EffectiveAsid(c.Asid), VmidWildcardBits);
                return CommandError.None;

            case CommandOpcode.TlbiNhVa:
            case CommandOpcode.TlbiNhVaa:
                return InvalidateByAddress(c, StreamWorld.NsEl1, requireStage1: true);

            case CommandOpcode.TlbiEl2All when HypImplemented:
                InvalidateEl2All();
                return CommandError.None;

            case CommandOpcode.TlbiEl2Asid when HypImplemented:
                InvalidateAsid(StreamWorld.NsEl2E2H, 0, EffectiveAsid(c.Asid));
                return CommandError.None;

            case CommandOpcode.TlbiEl2Va:
            case CommandOpcode.TlbiEl2Vaa:
                return HypImplemented ? InvalidateByAddress(c, StreamWorld.NsEl2E2H, requireStage1: true) : CommandError.Ill;

            case CommandOpcode.TlbiS12Vmall when Features.Stage2:
                InvalidateVmid(c.Vmid, stage1Only: false, VmidWildcardBits);
                return CommandError.None;

            case CommandOpcode.TlbiS2Ipa:
                return Features.Stage2 ? InvalidateByAddress(c, StreamWorld.NsEl1, requireStage1: false) : CommandError.Ill;

            case CommandOpcode.TlbiNsnhAll:
                InvalidateNsnhAll();
                return CommandError.None;

            case CommandOpcode.AtcInv:
                return ExecuteAtcInvalidate(c); // IHI0070 §4.5.1 (SmmuV3.Ats.cs)

            case CommandOpcode.PriResp:
                return ExecutePriResponse(c); // IHI0070 §4.5.2 (SmmuV3.Ats.cs)

            case CommandOpcode.Resume when Features.StallModel != StallModel.TerminateOnly && !c.SSec:
                // IHI0070 §4.7.1: Ab is IGNORED on a retry, and with IDR0.TERM_MODEL = 1 (termination always aborts).
                ResolveStall(c.StreamId, c.StallTag, retry: c.Ac, abort: !c.Ac && (c.Ab || Features.AbortOnlyTermination));
                return CommandError.None;

            case CommandOpcode.StallTerm when Features.StallModel != StallModel.TerminateOnly && !c.SSec:
                TerminateStalls(c.StreamId);
                return CommandError.None;

            case CommandOpcode.Sync:
                return ExecuteSync(c);

            default:
                // Secure-only TLBIs on the Non-secure queue, DPT and VMS commands this model does not implement,
                // IMPLEMENTATION DEFINED and reserved opcodes (IHI0070 §4.1.1, §7.1).
                return CommandError.Ill;
        }
    }

    private bool HypImplemented => Features.Hyp && Features.Stage1 && Features.Stage2;

    private ushort EffectiveAsid(ushort asid) => Features.Asid16 ? asid : (ushort)(asid & 0xFF);

    private int VmidWildcardBits => Features.VmidWildcard ? (int)new Cr0Register(_registers.Control.Cr0).VMW switch { 0 => 0, var v and <= 4 => v, _ => 0 } : 0;

    private CommandError InvalidateByAddress(in Command c, StreamWorld world, bool requireStage1)
    {
        if ((requireStage1 && !Features.Stage1) || (!requireStage1 && !Features.Stage2))
        {
            return CommandError.Ill;
        }

        if (!TryDecodeRange(c, out ulong size, out int ttlLevel))
        {
            return CommandError.Ill;
        }

        bool leafOnly = c.Leaf;
        switch (c.Opcode)
        {
            case CommandOpcode.TlbiNhVa:
                InvalidateVa(StreamWorld.NsEl1, c.Vmid, EffectiveAsid(c.Asid), c.Address, size, leafOnly, ttlLevel, VmidWildcardBits);
                break;
            case CommandOpcode.TlbiNhVaa:
                InvalidateVa(StreamWorld.NsEl1, c.Vmid, null, c.Address, size, leafOnly, ttlLevel, VmidWildcardBits);
                break;
            case CommandOpcode.TlbiEl2Va:
                // IHI0070 §4.4.6: EL2 entries have no ASID; EL2-E2H entries match the ASID or are global.
                InvalidateVa(StreamWorld.NsEl2, 0, null, c.Address, size, leafOnly, ttlLevel);
                InvalidateVa(StreamWorld.NsEl2E2H, 0, EffectiveAsid(c.Asid), c.Address, size, leafOnly, ttlLevel);
                break;
            case CommandOpcode.TlbiEl2Vaa:
                InvalidateVa(StreamWorld.NsEl2, 0, null, c.Address, size, leafOnly, ttlLevel);
                InvalidateVa(StreamWorld.NsEl2E2H, 0, null, c.Address, size, leafOnly, ttlLevel);
                break;
            default:
                InvalidateIpa(c.Vmid, c.Ipa, size, leafOnly, ttlLevel, VmidWildcardBits);
                break;
        }

        return CommandError.None;
    }

    // IHI0070 §4.4.1.1: TG selects the range granule; Range = (NUM+1) * 2^SCALE granules; TTL hints the leaf level.
    private bool TryDecodeRange(in Command c, out ulong size, out int ttlLevel)
    {
        size = 1;
        ttlLevel = -1;
        if (c.Tg == RangeGranule.None)
        {
            // No range and no TTL hint: NUM, SCALE and TTL are RES0.
            return c.Num == 0 && c.Scale == 0 && c.Ttl == 0;
        }

        if (!Features.RangeInvalidation)
        {
            return false; // TG is RES0 without IDR3.RIL
        }

        int granuleShift = 10 + (2 * (int)c.Tg);
        // IHI0070 §4.4.1.1: TTL 0b01 with a 16KB granule is Reserved without IDR5.DS and treated as 0b00 (any
        // level), so with NUM = SCALE = 0 it forms the Reserved combination below; with DS it hints 16KB level-1 blocks.
        bool ds = Features.DsImplemented;
        uint ttl = c.Tg == RangeGranule.Size16K && c.Ttl == 1 && !ds ? 0 : c.Ttl;

        // IHI0070 §4.4.1.1: with IDR5.DS, SCALE is 6 bits ([25:20]) and values above 39 are treated as 39.
        uint scale = ds ? Math.Min(c.Scale | (((uint)(c.Dw0 >> 25) & 1) << 5), 39u) : c.Scale;
        if (c.Num == 0 && scale == 0 && ttl == 0)
        {
            return false; // Reserved: a single granule with no level hint
        }

        ttlLevel = ttl == 0 ? -1 : (int)ttl;
        int shift = granuleShift + (int)scale;
        size = shift >= 64 ? ulong.MaxValue : (c.Num + 1UL) << shift;
        return true;
    }

    private CommandError ExecuteSync(in Command c)
    {
        // IHI0070 §4.7.3: everything before the SYNC is already complete in this synchronous model; what remains is
        // an ATS invalidation it waits for that was never answered (§3.9.1.4), that no held record of an invalidated
        // stall may appear after it, and the completion signal.
        if (TakeAtcInvalidationFailure())
        {
            return CommandError.AtcInvSync;
        }

        if (c.CS != SyncCompletionSignal.Reserved)
        {
            DiscardInvalidatedHeldStallRecords();
        }

        return c.CS == SyncCompletionSignal.Reserved ? CommandError.Ill : CommandError.None;
    }

    // The completion signal of a CMD_SYNC that CONS has passed (ProcessCommandQueue).
    private void SignalSyncCompletion(in Command c)
    {
        switch (c.CS)
        {
            case SyncCompletionSignal.Irq:
                // IHI0070 §3.18.2: the MSI the command describes (when MSIs are supported and MSIAddress is not 0)
                // and, when implemented, the CMD_SYNC wired line. §4.7.3, §3.4.3: the zero check covers the whole
                // MSIAddress field, the write is truncated to the OAS.
                if (Features.Msi && c.MsiAddress != 0
                    && !_memory.TryWriteUInt32(c.MsiAddress & Bits.Mask(Features.OutputAddressBits), c.MsiData))
                {
                    RaiseGlobalError(GerrorFlags.MSI_CMDQ_ABT_ERR);
                }

                RaiseWired(SmmuInterrupt.CommandSync);
                break;
            case SyncCompletionSignal.Sev:
                // CS = SIG_SEV with IDR0.SEV = 0 behaves as SIG_NONE.
                if (Features.Sev)
                {
                    RaiseWired(SmmuInterrupt.SendEvent);
                }

                break;
        }
    }
}
