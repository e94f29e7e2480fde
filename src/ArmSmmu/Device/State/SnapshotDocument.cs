using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ArmSmmu.Device;

/// <summary>
/// The envelope every snapshot shares: a JSON object whose <c>format</c> names what it holds and whose
/// <c>version</c> is the layout of the rest (docs/save-restore.md). Reading checks both before anything else.
/// One instance per kind of snapshot (the device's, the driver's) names its format and the versions this build reads.
/// </summary>
/// <param name="format">The format name, e.g. <c>armsmmu.smmuv3</c>.</param>
/// <param name="oldestVersion">The oldest layout this build reads.</param>
/// <param name="currentVersion">The layout this build writes (and the newest it reads); sections added later raise it.</param>
internal sealed class SnapshotDocument(string format, int oldestVersion, int currentVersion)
{
    /// <summary>The layout this build writes.</summary>
    public int CurrentVersion => currentVersion;

    /// <summary>A new document with its header, at <see cref="CurrentVersion"/>.</summary>
    /// <returns>The root object.</returns>
    public StateSection Create()
    {
        var root = new JsonObject { ["format"] = format, ["version"] = currentVersion };
        return new StateSection(root, "$");
    }

    /// <summary>Writes <paramref name="document"/> as indented UTF-8 JSON; the stream stays open.</summary>
    /// <param name="document">The root.</param>
    /// <param name="stream">Destination.</param>
    public static void Write(StateSection document, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        document.Node.WriteTo(writer);
        writer.Flush();
    }

    /// <summary>Reads a document and checks its header.</summary>
    /// <param name="stream">Source; read to the end of the JSON value, left open.</param>
    /// <param name="version">The document's version.</param>
    /// <returns>The root.</returns>
    /// <exception cref="InvalidDataException">Not JSON, another format, or a version this build cannot read.</exception>
    public StateSection Read(Stream stream, out int version)
    {
        ArgumentNullException.ThrowIfNull(stream);
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(stream);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Not a {format} snapshot: the stream is not JSON ({e.Message}).", e);
        }

        if (node is not JsonObject root)
        {
            throw new InvalidDataException($"Not a {format} snapshot: the stream is not a JSON object.");
        }

        var document = new StateSection(root, "$");
        version = CheckHeader(document);
        return document;
    }

    /// <summary>Checks the header of a document, or of one embedded in another (a driver snapshot holds a device one).</summary>
    /// <param name="document">The document's root.</param>
    /// <returns>The document's version.</returns>
    /// <exception cref="InvalidDataException">Another format, or a version this build cannot read.</exception>
    public int CheckHeader(StateSection document)
    {
        string found = document.Node["format"] is JsonValue f && f.TryGetValue(out string? name) ? name : "(none)";
        if (found != format)
        {
            throw new InvalidDataException($"Not a {format} snapshot: its format is '{found}'.");
        }

        int version = (int)document.GetNumber("version");
        if (version < oldestVersion || version > currentVersion)
        {
            throw new InvalidDataException(string.Create(
                CultureInfo.InvariantCulture,
                $"{format} snapshot version {version} cannot be read by this build, which reads versions {oldestVersion} to {currentVersion}{(version > currentVersion ? " (the snapshot was written by a newer ArmSmmu)" : " (the snapshot is older than the oldest supported layout)")}."));
        }

        return version;
    }
}
