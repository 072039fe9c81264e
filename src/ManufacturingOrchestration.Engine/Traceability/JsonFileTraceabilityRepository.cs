using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Engine.Traceability;

/// <summary>
/// A traceability repository kept as one JSON file per lot in a directory: <c>&lt;escaped lot id&gt;.json</c>, holding
/// the latest <see cref="TraceabilityRecord"/> (a lot id whose escaped form is too long for a file name, such as a long
/// non-ASCII one, is named by the start of it, <c>%~</c> and the SHA-256 of the id). Every write goes to a temporary file in the same directory, is flushed
/// to disk, and then renamed over the lot's file, so a reader (or a crash) never sees a half-written file. A
/// publication whose idempotency key the lot's file already lists is not written again.
/// </summary>
/// <remarks>
/// Thread-safe within one process (one lock per lot). Use one writing process per directory: two processes publishing
/// the same lot at the same moment are each atomic, but the last rename wins. Lot ids are escaped
/// (<see cref="Uri.EscapeDataString(string)"/>) into file names; on a case-insensitive file system two lot ids that
/// differ only in case share a file, so keep such directories on a case-sensitive volume.
/// </remarks>
public sealed class JsonFileTraceabilityRepository : ITraceabilityRepository
{
    /// <summary>How many applied idempotency keys a lot's file remembers. Default 64.</summary>
    public const int MaxRememberedKeys = 64;

    /// <summary>
    /// The longest escaped lot id used as it is: with <c>.json</c> and the temporary suffix (<c>.&lt;32 hex&gt;.tmp</c>) it
    /// stays within the 255-character file name limit of common file systems.
    /// </summary>
    private const int MaxEscapedNameLength = 255 - 5 - 38;

    /// <summary>How much of a too-long escaped lot id starts its hashed file name (for people reading the directory).</summary>
    private const int HashedNamePrefixLength = 100;

    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    /// <summary>Creates the repository; the directory is created when missing.</summary>
    /// <param name="directory">The directory holding one file per lot.</param>
    /// <param name="timeProvider">The clock stamping <see cref="TraceabilityRecord.PublishedAt"/>; the system clock when <see langword="null"/>.</param>
    public JsonFileTraceabilityRepository(string directory, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(Directory);
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The directory holding one file per lot.</summary>
    public string Directory { get; }

    /// <summary>The file that holds a lot's genealogy.</summary>
    /// <param name="lot">The lot.</param>
    /// <returns>The full path.</returns>
    public string PathOf(LotId lot)
    {
        var escaped = Uri.EscapeDataString(lot.Value);
        if (escaped.Length > MaxEscapedNameLength)
        {
            // "%~" never comes out of EscapeDataString (a '%' it writes is followed by two hex digits), so a hashed
            // name cannot be another lot's escaped name.
            escaped = string.Concat(escaped.AsSpan(0, HashedNamePrefixLength), "%~", Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(lot.Value))));
        }

        return Path.Combine(Directory, escaped + ".json");
    }

    /// <inheritdoc />
    public async ValueTask<TraceabilityPublishStatus> PublishAsync(GenealogyPublication publication, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(publication);
        ArgumentException.ThrowIfNullOrEmpty(publication.IdempotencyKey);
        if (IndexOfNull(publication.Links) is var missing and >= 0)
        {
            throw new ManufacturingOrchestrationException(ReasonCodes.Required, $"The genealogy of lot {publication.Lot} has no link at index {missing}.");
        }

        var path = PathOf(publication.Lot);
        var gate = _locks.GetOrAdd(path, static _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var existing = await ReadAsync(path, cancellationToken).ConfigureAwait(false);
            if (TraceabilityRecord.Apply(existing, publication, _time.GetUtcNow(), MaxRememberedKeys) is not { } record)
            {
                return TraceabilityPublishStatus.AlreadyPublished;
            }

            await WriteAtomicallyAsync(path, record, cancellationToken).ConfigureAwait(false);
            return TraceabilityPublishStatus.Published;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask<TraceabilityRecord?> GetAsync(LotId lot, CancellationToken cancellationToken = default) =>
        await ReadAsync(PathOf(lot), cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    /// <remarks>Reads every lot file of the directory: the files are kept per produced lot, with no where-used index.</remarks>
    public async ValueTask<IReadOnlyList<GenealogyLink>> GetConsumersAsync(LotId componentLot, CancellationToken cancellationToken = default)
    {
        var links = new List<GenealogyLink>();
        foreach (var path in System.IO.Directory.EnumerateFiles(Directory, "*.json"))
        {
            if (await ReadAsync(path, cancellationToken).ConfigureAwait(false) is { } record)
            {
                links.AddRange(record.LinksConsuming(componentLot));
            }
        }

        return links;
    }

    private static async ValueTask<TraceabilityRecord?> ReadAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 4096, useAsync: true);
            await using (stream.ConfigureAwait(false))
            {
                var record = await JsonSerializer.DeserializeAsync(stream, TraceabilityJsonContext.Default.TraceabilityRecord, cancellationToken).ConfigureAwait(false);
                if (record is not null && IndexOfNull(record.Links) is var missing and >= 0)
                {
                    throw new JsonException($"The link at index {missing} is null.");
                }

                return record;
            }
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (JsonException ex)
        {
            throw new ManufacturingOrchestrationException(ReasonCodes.MalformedJson, $"The traceability file {path} cannot be read: {ex.Message}", ex);
        }
    }

    private static async ValueTask WriteAtomicallyAsync(string path, TraceabilityRecord record, CancellationToken cancellationToken)
    {
        var temporary = string.Concat(path, ".", Guid.NewGuid().ToString("N"), ".tmp");
        try
        {
            var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, useAsync: true);
            await using (stream.ConfigureAwait(false))
            {
                await JsonSerializer.SerializeAsync(stream, record, TraceabilityJsonContext.Default.TraceabilityRecord, cancellationToken).ConfigureAwait(false);
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    private static int IndexOfNull(IReadOnlyList<GenealogyLink> links)
    {
        for (var i = 0; i < links.Count; i++)
        {
            if (links[i] is null)
            {
                return i;
            }
        }

        return -1;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: a left-over temporary file is ignored by readers.
        }
        catch (UnauthorizedAccessException)
        {
            // Best effort, as above.
        }
    }
}

/// <summary>The JSON of traceability files: camelCase, enums as camelCase strings, nulls omitted, indented for people.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true,
    WriteIndented = true,
    RespectNullableAnnotations = true)]
[JsonSerializable(typeof(TraceabilityRecord))]
internal sealed partial class TraceabilityJsonContext : JsonSerializerContext;
