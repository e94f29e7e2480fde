namespace ArmSmmu.Device;

/// <summary>Saves each visited part into its own child of <c>sections</c>.</summary>
/// <param name="sections">The <c>sections</c> object being written.</param>
internal sealed class SaveVisitor(StateSection sections) : IStateVisitor
{
    /// <inheritdoc/>
    public void Section<T>(string name, ref T part, int sinceVersion = 1)
        where T : IStateSection => part.Save(sections.Child(name));

    /// <inheritdoc/>
    public void Registers<T>(string name, ref T part, int sinceVersion = 1)
        where T : IRegisterSection => part.Exchange(new RegisterFields(sections.Child(name), restoring: false));
}

/// <summary>
/// Restores each visited part from its section of a snapshot of layout <paramref name="version"/>. A section newer
/// than the snapshot leaves its part at reset; a missing one that the version requires, or one no part claims, is
/// refused.
/// </summary>
/// <param name="sections">The snapshot's <c>sections</c> object.</param>
/// <param name="version">The snapshot's layout version.</param>
internal sealed class RestoreVisitor(StateSection sections, int version) : IStateVisitor
{
    private readonly HashSet<string> _visited = [];

    /// <inheritdoc/>
    public void Section<T>(string name, ref T part, int sinceVersion = 1)
        where T : IStateSection
    {
        if (Open(name, sinceVersion) is { } section)
        {
            part.Restore(section);
        }
    }

    /// <inheritdoc/>
    public void Registers<T>(string name, ref T part, int sinceVersion = 1)
        where T : IRegisterSection
    {
        if (Open(name, sinceVersion) is { } section)
        {
            part.Exchange(new RegisterFields(section, restoring: true));
        }
    }

    // The section to restore from, or null when the snapshot predates it (the part stays at reset).
    private StateSection? Open(string name, int sinceVersion)
    {
        _visited.Add(name);
        if (version < sinceVersion)
        {
            return null;
        }

        return sections.Has(name)
            ? sections.RequireChild(name)
            : throw new InvalidDataException($"Snapshot lacks section '{name}', which its version {version} requires.");
    }

    /// <summary>Refuses sections that no part of this build reads: state that would otherwise be dropped silently.</summary>
    /// <exception cref="InvalidDataException">An unknown section.</exception>
    public void RequireAllSectionsKnown()
    {
        foreach (var (name, _) in sections.Node)
        {
            if (!_visited.Contains(name))
            {
                throw new InvalidDataException($"Snapshot section '{name}' is unknown to this build; restoring would lose that state.");
            }
        }
    }
}
