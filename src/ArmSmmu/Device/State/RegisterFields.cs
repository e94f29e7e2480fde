namespace ArmSmmu.Device;

/// <summary>
/// A register bank's snapshot section in one direction. The bank lists its registers once, in
/// <see cref="IRegisterSection.Exchange"/>, as <c>Cr0 = fields.Register("cr0", Cr0);</c>: saving writes the value and
/// hands it back unchanged, restoring hands back the saved value. One list, so save and restore cannot disagree.
/// </summary>
/// <param name="section">The bank's section.</param>
/// <param name="restoring">True to read the section, false to fill it.</param>
internal readonly struct RegisterFields(StateSection section, bool restoring)
{
    /// <summary>A 64-bit register or address, as a hexadecimal string.</summary>
    /// <param name="name">Field name.</param>
    /// <param name="value">The value held now.</param>
    /// <returns>The value to hold: <paramref name="value"/> when saving, the saved one when restoring.</returns>
    public ulong Register(string name, ulong value)
    {
        if (restoring)
        {
            return section.GetUInt64(name);
        }

        section.Put(name, value);
        return value;
    }

    /// <summary>A 32-bit register, as a hexadecimal string.</summary>
    /// <param name="name">Field name.</param>
    /// <param name="value">The value held now.</param>
    /// <returns>The value to hold: <paramref name="value"/> when saving, the saved one when restoring.</returns>
    public uint Register(string name, uint value)
    {
        if (restoring)
        {
            return section.GetUInt32(name);
        }

        section.Put(name, value);
        return value;
    }
}

/// <summary>
/// A piece of register state whose section holds only register values: one <see cref="Exchange"/> both saves and
/// restores it (docs/save-restore.md). State with lists or counts implements <see cref="IStateSection"/> instead.
/// </summary>
internal interface IRegisterSection
{
    /// <summary>Assigns each register the value <paramref name="fields"/> hands back, directly, without the side effects of a register write.</summary>
    /// <param name="fields">The section, saving or restoring.</param>
    void Exchange(RegisterFields fields);
}
