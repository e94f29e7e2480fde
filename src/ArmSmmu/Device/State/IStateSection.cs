namespace ArmSmmu.Device;

/// <summary>
/// A piece of device state that writes itself into, and reads itself back from, its own section of a snapshot
/// (docs/save-restore.md). Register banks, queues and the stall store implement it; the device lists them once in
/// <c>SmmuV3.VisitStateSections</c>.
/// </summary>
/// <remarks>
/// Implemented by structs as well as classes: the visitor takes the part by <c>ref</c> with a generic constraint, so a
/// bank held in a field is restored in place, never through a boxed copy.
/// </remarks>
internal interface IStateSection
{
    /// <summary>Writes this part's state into <paramref name="section"/>.</summary>
    /// <param name="section">An empty section.</param>
    void Save(StateSection section);

    /// <summary>Replaces this part's state with the one in <paramref name="section"/>; the part is at reset before.</summary>
    /// <param name="section">The section <see cref="Save"/> wrote.</param>
    /// <exception cref="System.IO.InvalidDataException">A field is missing or malformed.</exception>
    void Restore(StateSection section);
}

/// <summary>
/// Walks every state section of a device in one fixed order: saving and restoring are two visitors over the same
/// list, so a new piece of state joins both by one line.
/// </summary>
internal interface IStateVisitor
{
    /// <summary>Saves or restores <paramref name="part"/> under <paramref name="name"/>.</summary>
    /// <typeparam name="T">The part's type (a bank struct or a class).</typeparam>
    /// <param name="name">The section's name in the snapshot, camelCase, unique in the device.</param>
    /// <param name="part">The part, by reference so a struct in a field is updated in place.</param>
    /// <param name="sinceVersion">
    /// The format version that introduced the section: restoring a snapshot older than that leaves the part at its
    /// reset value instead of refusing the snapshot.
    /// </param>
    void Section<T>(string name, ref T part, int sinceVersion = 1)
        where T : IStateSection;

    /// <summary>Saves or restores the register bank <paramref name="part"/> under <paramref name="name"/>.</summary>
    /// <typeparam name="T">The bank's type.</typeparam>
    /// <param name="name">The section's name in the snapshot, camelCase, unique in the device.</param>
    /// <param name="part">The bank, by reference so a struct in a field is updated in place.</param>
    /// <param name="sinceVersion">As for <see cref="Section"/>.</param>
    void Registers<T>(string name, ref T part, int sinceVersion = 1)
        where T : IRegisterSection;
}
