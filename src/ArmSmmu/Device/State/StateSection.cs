using System.Globalization;
using System.Text.Json.Nodes;

namespace ArmSmmu.Device;

/// <summary>
/// One JSON object of a snapshot with typed accessors. Register values and addresses are hexadecimal strings
/// (<c>"0x1000"</c>) so a snapshot reads like a register dump; counts are JSON numbers. A missing or malformed field
/// throws <see cref="InvalidDataException"/> naming its path.
/// </summary>
internal sealed class StateSection
{
    private readonly JsonObject _node;
    private readonly string _path;

    /// <summary>Wraps <paramref name="node"/>, found at <paramref name="path"/> in the snapshot.</summary>
    /// <param name="node">The object.</param>
    /// <param name="path">Where it is, for error messages (e.g. <c>sections.eventQueue</c>).</param>
    public StateSection(JsonObject node, string path)
    {
        _node = node;
        _path = path;
    }

    /// <summary>The underlying object.</summary>
    public JsonObject Node => _node;

    /// <summary>Writes a register or address as a hexadecimal string.</summary>
    /// <param name="name">Field name.</param>
    /// <param name="value">The value.</param>
    public void Put(string name, ulong value) => _node[name] = "0x" + value.ToString("X", CultureInfo.InvariantCulture);

    /// <summary>Writes a count or flag as a JSON number.</summary>
    /// <param name="name">Field name.</param>
    /// <param name="value">The value.</param>
    public void PutNumber(string name, long value) => _node[name] = value;

    /// <summary>Writes an array of objects, one per element.</summary>
    /// <typeparam name="T">Element type.</typeparam>
    /// <param name="name">Field name.</param>
    /// <param name="items">The elements in order.</param>
    /// <param name="save">Writes one element into its object.</param>
    public void PutList<T>(string name, IEnumerable<T> items, Action<StateSection, T> save)
    {
        var array = new JsonArray();
        foreach (var item in items)
        {
            var element = new StateSection(new JsonObject(), _path + "." + name);
            save(element, item);
            array.Add((JsonNode)element._node); // the JsonNode overload: the generic one is not trim-safe (NativeAOT)
        }

        _node[name] = array;
    }

    /// <summary>Opens (creating it when saving) the child object <paramref name="name"/>.</summary>
    /// <param name="name">Field name.</param>
    /// <returns>The child section.</returns>
    public StateSection Child(string name)
    {
        if (_node[name] is JsonObject existing)
        {
            return new StateSection(existing, _path + "." + name);
        }

        var child = new JsonObject();
        _node[name] = child;
        return new StateSection(child, _path + "." + name);
    }

    /// <summary>Whether the field exists.</summary>
    /// <param name="name">Field name.</param>
    /// <returns>True when present.</returns>
    public bool Has(string name) => _node.ContainsKey(name);

    /// <summary>The existing child object <paramref name="name"/>.</summary>
    /// <param name="name">Field name.</param>
    /// <returns>The child section.</returns>
    public StateSection RequireChild(string name) =>
        _node[name] is JsonObject child ? new StateSection(child, _path + "." + name) : throw Malformed(name, "an object");

    /// <summary>Reads a hexadecimal field.</summary>
    /// <param name="name">Field name.</param>
    /// <returns>The value.</returns>
    public ulong GetUInt64(string name)
    {
        string? text = _node[name] is JsonValue v && v.TryGetValue(out string? s) ? s : null;
        if (text is null || !text.StartsWith("0x", StringComparison.Ordinal)
            || !ulong.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong value))
        {
            throw Malformed(name, "a hexadecimal string such as \"0x1F\"");
        }

        return value;
    }

    /// <summary>Reads a hexadecimal field that must fit 32 bits.</summary>
    /// <param name="name">Field name.</param>
    /// <returns>The value.</returns>
    public uint GetUInt32(string name)
    {
        ulong value = GetUInt64(name);
        return value <= uint.MaxValue ? (uint)value : throw Malformed(name, "a 32-bit value");
    }

    /// <summary>Reads a number field.</summary>
    /// <param name="name">Field name.</param>
    /// <returns>The value.</returns>
    public long GetNumber(string name) =>
        _node[name] is JsonValue v && v.TryGetValue(out long n) ? n : throw Malformed(name, "a number");

    /// <summary>Reads a string field.</summary>
    /// <param name="name">Field name.</param>
    /// <returns>The value.</returns>
    public string GetString(string name) =>
        _node[name] is JsonValue v && v.TryGetValue(out string? s) ? s : throw Malformed(name, "a string");

    /// <summary>Reads an array of objects written by <see cref="PutList{T}"/>.</summary>
    /// <typeparam name="T">Element type.</typeparam>
    /// <param name="name">Field name.</param>
    /// <param name="read">Reads one element.</param>
    /// <returns>The elements in order.</returns>
    public List<T> GetList<T>(string name, Func<StateSection, T> read)
    {
        if (_node[name] is not JsonArray array)
        {
            throw Malformed(name, "an array");
        }

        var items = new List<T>(array.Count);
        for (int i = 0; i < array.Count; i++)
        {
            string path = string.Create(CultureInfo.InvariantCulture, $"{_path}.{name}[{i}]");
            items.Add(read(array[i] is JsonObject o ? new StateSection(o, path) : throw new InvalidDataException($"Snapshot field '{path}' must be an object.")));
        }

        return items;
    }

    private InvalidDataException Malformed(string name, string expected) =>
        new(_node.ContainsKey(name)
            ? $"Snapshot field '{_path}.{name}' must be {expected}."
            : $"Snapshot field '{_path}.{name}' is missing; expected {expected}.");
}
