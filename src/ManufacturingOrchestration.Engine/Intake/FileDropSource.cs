using System.Globalization;
using System.Text;
using System.Text.Json;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Model.Serialization;
using ManufacturingOrchestration.Model.Validation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ManufacturingOrchestration.Engine.Intake;

/// <summary>
/// Intake for legacy plants that drop files: polls a folder for <c>*.jsonl</c> (one CloudEvents JSON event per line)
/// and <c>*.csv</c> files (a header row with named columns; see docs/operations.md), publishes their events, then moves
/// each file to the processed or rejected folder with a JSON report beside it (per line: accepted, duplicate, or
/// rejected with reasons).
/// </summary>
/// <remarks>
/// <para>Crash-safe: a file is moved only after every one of its lines was accepted, found a duplicate or rejected and
/// recorded. Event ids are deterministic (a JSONL event keeps its own id; a CSV row's id derives from the file name, line
/// number and a hash of the line), so re-reading a file after a crash accepts nothing twice: its lines come back as
/// duplicates. A rejected line is recorded again when its file is re-read.</para>
/// <para>Write files under another name (such as <c>*.tmp</c>) and rename them into place when complete: only the two
/// extensions are picked up, and a file still open for writing elsewhere is skipped until the next poll.</para>
/// </remarks>
public sealed partial class FileDropSource : IEventSource
{
    private readonly FileDropOptions _options;
    private readonly EventSerializer _serializer;
    private readonly ILogger _logger;

    /// <summary>Creates the source.</summary>
    /// <param name="options">The settings; validated here.</param>
    /// <param name="serializer">Reads JSON events; <see cref="EventSerializer.Default"/> when <see langword="null"/>.</param>
    /// <param name="logger">The logger; none when <see langword="null"/>.</param>
    public FileDropSource(FileDropOptions options, EventSerializer? serializer = null, ILogger<FileDropSource>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _serializer = serializer ?? EventSerializer.Default;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <inheritdoc />
    public string Name => _options.Name;

    /// <summary>The last failure of a poll (such as an unreachable folder), or <see langword="null"/> after a good poll.</summary>
    public Exception? LastError { get; private set; }

    /// <inheritdoc />
    public async Task RunAsync(IEventSink sink, CancellationToken stoppingToken)
    {
        ArgumentNullException.ThrowIfNull(sink);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ProcessPendingAsync(sink, stoppingToken).ConfigureAwait(false);
                LastError = null;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // A poll that fails (folder unreachable, store down) is retried at the next interval.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LastError = ex;
                Log.PollFailed(_logger, _options.Name, ex);
            }

            try
            {
                await Task.Delay(_options.PollInterval, _options.TimeProvider, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Processes every file in the folder now, oldest name first (ordinal order).</summary>
    /// <param name="sink">Where to deliver events.</param>
    /// <param name="cancellationToken">Cancels between batches; a file not finished stays where it is.</param>
    /// <returns>A report per file moved.</returns>
    public async Task<IReadOnlyList<FileDropReport>> ProcessPendingAsync(IEventSink sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sink);
        if (!Directory.Exists(_options.Directory))
        {
            throw new DirectoryNotFoundException($"The file-drop folder '{_options.Directory}' does not exist.");
        }

        var files = Directory.EnumerateFiles(_options.Directory)
            .Where(IsCandidate)
            .Order(StringComparer.Ordinal)
            .ToArray();
        var reports = new List<FileDropReport>(files.Length);
        foreach (var file in files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (await ProcessFileAsync(file, sink, cancellationToken).ConfigureAwait(false) is { } report)
            {
                reports.Add(report);
            }
        }

        return reports;
    }

    /// <summary>Processes one file: publishes its lines, writes the report and moves it.</summary>
    /// <param name="path">The file.</param>
    /// <param name="sink">Where to deliver events.</param>
    /// <param name="cancellationToken">Cancels between batches; the file then stays where it is.</param>
    /// <returns>The report, or <see langword="null"/> when the file could not be opened (it is tried again later).</returns>
    public async Task<FileDropReport?> ProcessFileAsync(string path, IEventSink sink, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(sink);
        var lines = await PublishFileAsync(path, sink, cancellationToken).ConfigureAwait(false);
        if (lines is null)
        {
            return null;
        }

        var rejected = lines.Any(l => l.Status == PublishStatus.Rejected);
        var folder = Path.Combine(_options.Directory, rejected ? _options.RejectedDirectoryName : _options.ProcessedDirectoryName);
        Directory.CreateDirectory(folder);
        var fileName = Path.GetFileName(path);
        var destination = FreeName(folder, fileName);
        var report = new FileDropReport
        {
            FileName = fileName,
            MovedTo = destination,
            ReportPath = destination + ".report.json",
            ProcessedAt = _options.TimeProvider.GetUtcNow(),
            Lines = lines,
        };

        // The report is written before the move: a crash in between re-reads the file, which only finds duplicates.
        var temporary = report.ReportPath + ".tmp";
        await File.WriteAllBytesAsync(temporary, WriteReport(report), CancellationToken.None).ConfigureAwait(false);
        File.Move(temporary, report.ReportPath, overwrite: true);
        File.Move(path, destination);
        Log.FileProcessed(_logger, _options.Name, fileName, report.Accepted, report.Duplicates, report.Rejected);
        return report;
    }

    /// <summary>Publishes every line of a file without moving it (the crash-safe first half of <see cref="ProcessFileAsync"/>).</summary>
    internal async Task<IReadOnlyList<FileDropLineResult>?> PublishFileAsync(string path, IEventSink sink, CancellationToken cancellationToken)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, useAsync: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.FileSkipped(_logger, _options.Name, path, ex);
            return null;
        }

        await using (stream.ConfigureAwait(false))
        {
            using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            var fileName = Path.GetFileName(path);
            var channel = "file:" + fileName;
            var isCsv = string.Equals(Path.GetExtension(path), ".csv", StringComparison.OrdinalIgnoreCase);
            var results = new List<FileDropLineResult>();
            var batch = new List<(int Line, string? EventId, EventEnvelope Envelope)>(_options.BatchSize);
            CsvEventMapper? mapper = null;
            var lineNumber = 0;
            while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                lineNumber++;
                if (string.IsNullOrWhiteSpace(line))
                {
                    continue;
                }

                if (isCsv && mapper is null)
                {
                    mapper = new CsvEventMapper(CsvEventMapper.TrySplit(line, _options.CsvDelimiter, out var header, out _) ? [.. header] : [line], _options.CsvSource, _options.DefaultCsvEventType);
                    continue;
                }

                string? eventId = null;
                IReadOnlyList<ValidationError> errors;
                if (mapper is not null)
                {
                    var (json, mapErrors, columns) = mapper.Map(fileName, lineNumber, line, _options.CsvDelimiter);
                    eventId = json is null ? CsvEventMapper.DeriveEventId(fileName, lineNumber, line) : null;
                    if (json is not null)
                    {
                        var parsed = _serializer.Parse(json);
                        if (parsed.IsSuccess)
                        {
                            batch.Add((lineNumber, parsed.Envelope.Id, parsed.Envelope));
                            await FlushIfFullAsync().ConfigureAwait(false);
                            continue;
                        }

                        eventId = ReadId(json);
                        errors = CsvEventMapper.NameColumns(parsed.Errors, columns);
                    }
                    else
                    {
                        errors = mapErrors;
                    }
                }
                else
                {
                    var parsed = _serializer.Parse(line);
                    if (parsed.IsSuccess)
                    {
                        batch.Add((lineNumber, parsed.Envelope.Id, parsed.Envelope));
                        await FlushIfFullAsync().ConfigureAwait(false);
                        continue;
                    }

                    eventId = ReadId(line);
                    errors = parsed.Errors;
                }

                // Keep the order of the report: publish what came before, then record this rejection.
                await FlushAsync().ConfigureAwait(false);
                var rejection = await sink.RecordRejectionAsync(channel, errors, EventIntake.Excerpt(line), cancellationToken).ConfigureAwait(false);
                results.Add(new FileDropLineResult { LineNumber = lineNumber, EventId = eventId, Status = rejection.Status, Errors = rejection.Errors });
            }

            await FlushAsync().ConfigureAwait(false);
            return results;

            async Task FlushIfFullAsync()
            {
                if (batch.Count >= _options.BatchSize)
                {
                    await FlushAsync().ConfigureAwait(false);
                }
            }

            async Task FlushAsync()
            {
                if (batch.Count == 0)
                {
                    return;
                }

                var published = await sink.PublishBatchAsync(batch.Select(b => b.Envelope).ToArray(), cancellationToken).ConfigureAwait(false);
                for (var i = 0; i < batch.Count; i++)
                {
                    results.Add(new FileDropLineResult { LineNumber = batch[i].Line, EventId = batch[i].EventId, Status = published[i].Status, Errors = published[i].Errors });
                }

                batch.Clear();
            }
        }
    }

    private static string? ReadId(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String
                ? id.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static bool IsCandidate(string path)
    {
        var extension = Path.GetExtension(path);
        return string.Equals(extension, ".jsonl", StringComparison.OrdinalIgnoreCase) || string.Equals(extension, ".csv", StringComparison.OrdinalIgnoreCase);
    }

    private static string FreeName(string folder, string fileName)
    {
        var candidate = Path.Combine(folder, fileName);
        var stem = Path.GetFileNameWithoutExtension(fileName);
        var extension = Path.GetExtension(fileName);
        for (var n = 2; File.Exists(candidate); n++)
        {
            candidate = Path.Combine(folder, string.Create(CultureInfo.InvariantCulture, $"{stem}-{n}{extension}"));
        }

        return candidate;
    }

    private static byte[] WriteReport(FileDropReport report)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("file", report.FileName);
            writer.WriteString("movedTo", report.MovedTo);
            writer.WriteString("processedAt", report.ProcessedAt);
            writer.WriteNumber("accepted", report.Accepted);
            writer.WriteNumber("duplicates", report.Duplicates);
            writer.WriteNumber("rejected", report.Rejected);
            writer.WriteStartArray("lines");
            foreach (var line in report.Lines)
            {
                writer.WriteStartObject();
                writer.WriteNumber("line", line.LineNumber);
                if (line.EventId is not null)
                {
                    writer.WriteString("eventId", line.EventId);
                }

                writer.WriteString("status", line.Status switch
                {
                    PublishStatus.Accepted => "accepted",
                    PublishStatus.Duplicate => "duplicate",
                    _ => "rejected",
                });
                if (line.Errors.Count > 0)
                {
                    writer.WriteStartArray("reasons");
                    foreach (var error in line.Errors)
                    {
                        writer.WriteStartObject();
                        writer.WriteString("path", error.Path);
                        writer.WriteString("code", error.ReasonCode.Code);
                        writer.WriteString("message", error.Message);
                        writer.WriteEndObject();
                    }

                    writer.WriteEndArray();
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "File drop {Source}: {File} processed: {Accepted} accepted, {Duplicates} duplicates, {Rejected} rejected.")]
        public static partial void FileProcessed(ILogger logger, string source, string file, int accepted, int duplicates, int rejected);

        [LoggerMessage(EventId = 2002, Level = LogLevel.Debug, Message = "File drop {Source}: {File} could not be opened; it is tried again at the next poll.")]
        public static partial void FileSkipped(ILogger logger, string source, string file, Exception exception);

        [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "File drop {Source}: the poll failed; it is tried again at the next interval.")]
        public static partial void PollFailed(ILogger logger, string source, Exception exception);
    }
}
