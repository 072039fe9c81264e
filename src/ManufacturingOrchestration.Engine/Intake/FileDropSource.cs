using System.Globalization;
using System.Text.Json;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Model;
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
/// duplicates. A rejected line is recorded again when its file is re-read after a crash; a file that could not be moved
/// is moved at the next poll with the outcome it had, without being published again. A file that changed while it was
/// read (still being written, or replaced under its name) is not moved: it is read again at the next poll.</para>
/// <para>Write files under another name (such as <c>*.tmp</c>) and rename them into place when complete: only the two
/// extensions are picked up, and a file still open for writing elsewhere is skipped until the next poll. A file written
/// in place may end in a line cut off by the writer: a file that is empty or does not end with a line break is read only
/// when a poll finds it unchanged since the previous one, so end every line with a line break.</para>
/// </remarks>
public sealed partial class FileDropSource : IEventSource
{
    private readonly FileDropOptions _options;
    private readonly EventSerializer _serializer;
    private readonly ILogger _logger;

    /// <summary>Files whose lines were all published but that could not be moved (with their outcome), by path: the next
    /// poll moves them with this outcome instead of publishing them again, as long as the file is unchanged.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, PublishedFile> _unmoved = new(StringComparer.Ordinal);

    /// <summary>Files that did not end with a line break when a poll looked (their last line may still be being written in
    /// place), with what they were then, by path: the next poll reads such a file's last line only if it is unchanged.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, FileIdentity> _unfinished = new(StringComparer.Ordinal);

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

    /// <summary>Moves a processed file into its folder (<see cref="File.Move(string, string)"/>); replaced in tests to make a move fail.</summary>
    internal Action<string, string> MoveFile { get; init; } = static (from, to) => File.Move(from, to);

    /// <summary>The last failure of a poll (such as an unreachable folder) or of a file in it (such as a store that is down), or <see langword="null"/> after a poll without one.</summary>
    public Exception? LastError { get; private set; }

    /// <inheritdoc />
    public async Task RunAsync(IEventSink sink, CancellationToken stoppingToken = default)
    {
        ArgumentNullException.ThrowIfNull(sink);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ProcessPendingAsync(sink, stoppingToken).ConfigureAwait(false);
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

    /// <summary>Processes every file in the folder now, oldest name first (ordinal order). Each file is processed on its
    /// own: one that cannot be read or moved is logged and the others go on.</summary>
    /// <param name="sink">Where to deliver events.</param>
    /// <param name="cancellationToken">Cancels between batches; a file not finished stays where it is.</param>
    /// <returns>A report per file moved.</returns>
    public async Task<IReadOnlyList<FileDropReport>> ProcessPendingAsync(IEventSink sink, CancellationToken cancellationToken = default)
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
        foreach (var path in _unmoved.Keys.Except(files, StringComparer.Ordinal).ToArray())
        {
            // Gone since (removed or moved by someone else): nothing is left to move.
            _unmoved.TryRemove(path, out _);
        }

        foreach (var path in _unfinished.Keys.Except(files, StringComparer.Ordinal).ToArray())
        {
            _unfinished.TryRemove(path, out _);
        }

        var reports = new List<FileDropReport>(files.Length);
        Exception? lastFailure = null;
        foreach (var file in files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                if (await ProcessFileAsync(file, sink, cancellationToken).ConfigureAwait(false) is { } report)
                {
                    reports.Add(report);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
#pragma warning disable CA1031 // One file that fails (store down, file not movable) must not hold up the others; it is tried again at the next poll.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                lastFailure = ex;
                Log.FileFailed(_logger, _options.Name, FreeText.Escape(Path.GetFileName(file)), ex);
            }
        }

        LastError = lastFailure;
        return reports;
    }

    /// <summary>Processes one file: publishes its lines, writes the report and moves it.</summary>
    /// <param name="path">The file.</param>
    /// <param name="sink">Where to deliver events.</param>
    /// <param name="cancellationToken">Cancels between batches; the file then stays where it is.</param>
    /// <returns>The report, or <see langword="null"/> when the file could not be opened, changed while it was read, or
    /// is not finished (it is tried again later).</returns>
    /// <remarks><para>A file that is empty or does not end with a line break may still be being written in place, its last
    /// line cut off: it is read whole only when it is unchanged since the previous call for it (its length and last write
    /// time); until then it stays where it is and nothing of it is published.</para>
    /// <para>Only regular files are read. A FIFO, a device, or a link that leads out of the folder (or nowhere) is not
    /// opened: it is moved to the rejected folder with a report and a recorded rejection (<see cref="ReasonCodes.FileNotRegular"/>).
    /// A file that fails while it is read, or is not UTF-8, goes there too (<see cref="ReasonCodes.FileUnreadable"/>),
    /// after the lines read before were processed.</para></remarks>
    public async Task<FileDropReport?> ProcessFileAsync(string path, IEventSink sink, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(sink);
        var fileName = Path.GetFileName(path);
        PublishedFile published;
        if (_unmoved.TryGetValue(path, out var earlier) && earlier.Identity is { } unmoved && FileIdentity.Of(path) == unmoved)
        {
            // Published before, but the move failed: move it now with the outcome of then. Publishing it again would
            // record its rejections twice and report its accepted lines as duplicates.
            published = earlier;
        }
        else
        {
            _unmoved.TryRemove(path, out _);
            if (await PublishFileCoreAsync(path, sink, cancellationToken).ConfigureAwait(false) is not { } outcome)
            {
                return null;
            }

            published = outcome;
            if (published.Identity is { } read && FileIdentity.Of(path) != read)
            {
                // Written to or replaced while it was read: what is there now was not read. Its lines are published again
                // at the next poll (those read now come back as duplicates); moving it would lose what was not read.
                Log.FileChanged(_logger, _options.Name, FreeText.Escape(fileName));
                return null;
            }
        }

        var (lines, fileErrors) = (published.Lines, published.FileErrors);
        var rejected = fileErrors.Count > 0 || lines.Any(l => l.Status == PublishStatus.Rejected);
        var folder = Path.Combine(_options.Directory, rejected ? _options.RejectedDirectoryName : _options.ProcessedDirectoryName);
        string? writtenReport = null;
        try
        {
            Directory.CreateDirectory(folder);
            var destination = FreeName(folder, fileName);
            var report = new FileDropReport
            {
                FileName = fileName,
                MovedTo = destination,
                ReportPath = Path.Combine(folder, ReportName(Path.GetFileName(destination))),
                ProcessedAt = published.ProcessedAt,
                Lines = lines,
                Errors = fileErrors,
            };

            // The report is written before the move: a crash in between re-reads the file, which only finds duplicates.
            // The temporary name is short whatever the file's name: a name near the file-system limit still gets its report.
            var temporary = Path.Combine(folder, "." + Guid.NewGuid().ToString("N") + ".report.tmp");
            await File.WriteAllBytesAsync(temporary, WriteReport(report), CancellationToken.None).ConfigureAwait(false);
            File.Move(temporary, report.ReportPath, overwrite: true);
            writtenReport = report.ReportPath;
            MoveFile(path, destination);
            _unmoved.TryRemove(path, out _);
            Log.FileProcessed(_logger, _options.Name, FreeText.Escape(fileName), report.Accepted, report.Duplicates, report.Rejected);
            return report;
        }
        catch
        {
            // Not moved: no report may claim it was. The outcome is kept, so the next poll moves the file without
            // publishing it again.
            if (writtenReport is not null)
            {
                TryDelete(writtenReport);
            }

            _unmoved[path] = published;
            throw;
        }
    }

    /// <summary>Publishes every line of a file without moving it (the crash-safe first half of <see cref="ProcessFileAsync"/>).</summary>
    /// <returns>The line results and the problems of the file itself, or <see langword="null"/> when it could not be opened now.</returns>
    internal async Task<(IReadOnlyList<FileDropLineResult> Lines, IReadOnlyList<ValidationError> FileErrors)?> PublishFileAsync(string path, IEventSink sink, CancellationToken cancellationToken) =>
        await PublishFileCoreAsync(path, sink, cancellationToken).ConfigureAwait(false) is { } published ? (published.Lines, published.FileErrors) : null;

    /// <summary>Publishes every line of a file without moving it.</summary>
    /// <returns>The outcome, with the identity of the file that was read, or <see langword="null"/> when it could not be opened now.</returns>
    private async Task<PublishedFile?> PublishFileCoreAsync(string path, IEventSink sink, CancellationToken cancellationToken)
    {
        var fileName = Path.GetFileName(path);
        var channel = IntakeChannel.ForFile(fileName);
        if (FileDropFiles.NotRegularReason(path, _options.Directory) is { } notRegular)
        {
            // Never opened: a FIFO would block the poll for good, a link out of the folder would read what was not dropped.
            var errors = new[] { new ValidationError("$", ReasonCodes.FileNotRegular, $"'{FreeText.Escape(fileName)}' is {notRegular}; only regular files are read.") };
            await sink.RecordRejectionAsync(channel, errors, null, cancellationToken).ConfigureAwait(false);
            return new PublishedFile([], errors, null, _options.TimeProvider.GetUtcNow());
        }

        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, useAsync: true);
        }
        catch (Exception ex) when (ex is IOException)
        {
            // Still being written elsewhere (or gone): tried again at the next poll.
            Log.FileSkipped(_logger, _options.Name, FreeText.Escape(fileName), ex);
            return null;
        }
        catch (UnauthorizedAccessException ex)
        {
            var errors = new[] { new ValidationError("$", ReasonCodes.FileUnreadable, $"The file cannot be opened: {ex.Message}") };
            await sink.RecordRejectionAsync(channel, errors, null, cancellationToken).ConfigureAwait(false);
            return new PublishedFile([], errors, null, _options.TimeProvider.GetUtcNow());
        }

        await using (stream.ConfigureAwait(false))
        {
            // A last line without a line break is read only from a file seen unchanged since the previous poll: written in
            // place, the file may end in a line cut off ("12" of "120"), which would be booked with a wrong value.
            var opened = FileIdentity.Of(stream.SafeFileHandle);
            var settled = _unfinished.TryRemove(path, out var seen) && opened == seen;
            if (!settled && !EndsWithLineBreak(stream.SafeFileHandle, opened.Length))
            {
                _unfinished[path] = opened;
                Log.FileUnfinished(_logger, _options.Name, FreeText.Escape(fileName));
                return null;
            }

            var (lines, fileErrors, heldBack) = await PublishLinesAsync(stream, fileName, sink, settled ? opened.Length : -1, cancellationToken).ConfigureAwait(false);
            var read = FileIdentity.Of(stream.SafeFileHandle);
            if (heldBack)
            {
                // It grew while it was read and now ends in a line without a line break: read again at the next poll.
                _unfinished[path] = read;
                Log.FileUnfinished(_logger, _options.Name, FreeText.Escape(fileName));
                return null;
            }

            return new PublishedFile(lines, fileErrors, read, _options.TimeProvider.GetUtcNow());
        }
    }

    /// <summary>
    /// Publishes the lines of a file's content exactly as a dropped file's lines are published (JSON lines, or CSV when
    /// the name ends in <c>.csv</c>; UTF-8, each line on its own, a line over the size limit refused), for content that
    /// arrives some other way than through the folder: an upload, a message, a test. Nothing is moved or written.
    /// </summary>
    /// <param name="content">The content, read to its end (not disposed).</param>
    /// <param name="fileName">The file's name: it decides the format and names the channel (<c>file:&lt;name&gt;</c>) in rejection records.</param>
    /// <param name="sink">Where the events go (the orchestrator's <see cref="EventIntake"/>).</param>
    /// <param name="cancellationToken">Cancels the publication; lines already published stay published.</param>
    /// <returns>What happened to each line, and the problems of the content as a whole.</returns>
    public async Task<FileDropContentResult> PublishContentAsync(Stream content, string fileName, IEventSink sink, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentException.ThrowIfNullOrEmpty(fileName);
        ArgumentNullException.ThrowIfNull(sink);
        var (lines, errors, _) = await PublishLinesAsync(content, fileName, sink, settledLength: null, cancellationToken).ConfigureAwait(false);
        return new FileDropContentResult { Lines = lines, FileErrors = errors };
    }

    /// <summary>Publishes the lines of a dropped file's content (JSON lines, or CSV when the name ends in <c>.csv</c>).</summary>
    /// <param name="stream">The content.</param>
    /// <param name="fileName">The file's name.</param>
    /// <param name="sink">Where the events go.</param>
    /// <param name="settledLength">When a last line without a line break is published (see <see cref="FileDropLineReader"/>):
    /// <see langword="null"/> for complete content, the length of a file seen unchanged since the previous poll, or -1.</param>
    /// <param name="cancellationToken">Cancels the publication.</param>
    /// <returns>The line results, the problems of the file itself, and whether an unfinished last line was held back
    /// (then the results are not the whole file's).</returns>
    internal async Task<(IReadOnlyList<FileDropLineResult> Lines, IReadOnlyList<ValidationError> FileErrors, bool HeldBack)> PublishLinesAsync(Stream stream, string fileName, IEventSink sink, long? settledLength, CancellationToken cancellationToken)
    {
        var channel = IntakeChannel.ForFile(fileName);
        var isCsv = string.Equals(Path.GetExtension(fileName), ".csv", StringComparison.OrdinalIgnoreCase);
        var results = new List<FileDropLineResult>();
        var fileErrors = new List<ValidationError>();
        var batch = new List<(int Line, string? EventId, EventEnvelope Envelope)>(_options.BatchSize);
        CsvEventMapper? mapper = null;
        var reader = new FileDropLineReader(stream, _serializer.MaxEventBytes, settledLength);
        while (true)
        {
            FileDropLine? next;
            try
            {
                next = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (IOException ex)
            {
                fileErrors.Add(new ValidationError("$", ReasonCodes.FileUnreadable, $"The file could not be read past line {reader.LineNumber}: {ex.Message}"));
                break;
            }

            if (next is not { } line)
            {
                break;
            }

            if (line.FileProblem is { } problem)
            {
                fileErrors.Add(new ValidationError("$", ReasonCodes.FileUnreadable, problem));
                break;
            }

            if (line.IsBlank)
            {
                continue;
            }

            string? eventId = null;
            string? source = null;
            IReadOnlyList<ValidationError> errors;
            string excerpt;
            if (line.TooLong && isCsv && mapper is null)
            {
                // The header cannot be read: every row is refused for it, and no row is taken for the header instead.
                mapper = new CsvEventMapper([], _options.CsvSource, _options.DefaultCsvEventType, [new ValidationError("$", ReasonCodes.PayloadTooLarge, $"The header (line {line.Number}) is {line.Length.ToString(CultureInfo.InvariantCulture)} bytes or more; the limit is {_serializer.MaxEventBytes.ToString(CultureInfo.InvariantCulture)} bytes.")]);
                continue;
            }

            if (line.TooLong)
            {
                errors = [new ValidationError("$", ReasonCodes.PayloadTooLarge, $"The line is {line.Length.ToString(CultureInfo.InvariantCulture)} bytes or more; the limit is {_serializer.MaxEventBytes.ToString(CultureInfo.InvariantCulture)} bytes.")];
                excerpt = EventIntake.Excerpt(line.Bytes.Span);
            }
            else if (isCsv)
            {
                excerpt = EventIntake.Excerpt(line.Bytes.Span);
                if (!FileDropLineReader.TryDecode(line.Bytes.Span, out var text))
                {
                    if (mapper is null)
                    {
                        mapper = new CsvEventMapper([], _options.CsvSource, _options.DefaultCsvEventType, [new ValidationError("$", ReasonCodes.InvalidEncoding, $"The header (line {line.Number}) is not UTF-8.")]);
                        continue;
                    }

                    errors = [new ValidationError("$", ReasonCodes.InvalidEncoding, "The row is not UTF-8: it has bytes that are not a UTF-8 sequence.")];
                }
                else if (mapper is null)
                {
                    mapper = new CsvEventMapper(CsvEventMapper.TrySplit(text, _options.CsvDelimiter, out var header, out _) ? [.. header] : [text], _options.CsvSource, _options.DefaultCsvEventType);
                    continue;
                }
                else
                {
                    var (json, mapErrors, columns) = mapper.Map(fileName, line.Number, text, _options.CsvDelimiter);
                    if (json is not null)
                    {
                        var parsed = _serializer.Parse(json);
                        if (parsed.IsSuccess)
                        {
                            batch.Add((line.Number, parsed.Envelope.Id, parsed.Envelope));
                            await FlushIfFullAsync().ConfigureAwait(false);
                            continue;
                        }

                        errors = CsvEventMapper.NameColumns(parsed.Errors, columns);
                    }
                    else
                    {
                        errors = mapErrors;
                    }

                    // A refused row is reported under the id its sender gave it, when it has a usable one.
                    eventId = mapper.ReportedEventId(fileName, line.Number, text, _options.CsvDelimiter);
                    source = mapper.ReportedSource(text, _options.CsvDelimiter);
                }
            }
            else
            {
                var parsed = _serializer.Parse(line.Bytes);
                if (parsed.IsSuccess)
                {
                    batch.Add((line.Number, parsed.Envelope.Id, parsed.Envelope));
                    await FlushIfFullAsync().ConfigureAwait(false);
                    continue;
                }

                (source, eventId) = ReadKey(line.Bytes);
                errors = parsed.Errors;
                excerpt = EventIntake.Excerpt(line.Bytes.Span);
            }

            // Keep the order of the report: publish what came before, then record this rejection, under the id the report
            // names, so an operator finds the stored rejection by the id the sender gave the line.
            await FlushAsync().ConfigureAwait(false);
            var rejection = await sink.RecordRejectionAsync(channel, errors, excerpt, source, eventId, cancellationToken).ConfigureAwait(false);
            results.Add(new FileDropLineResult { LineNumber = line.Number, EventId = eventId is null ? null : FreeText.Escape(eventId), Status = rejection.Status, Errors = rejection.Errors });
        }

        await FlushAsync().ConfigureAwait(false);
        if (fileErrors.Count > 0)
        {
            await sink.RecordRejectionAsync(channel, fileErrors, null, cancellationToken).ConfigureAwait(false);
        }

        return (results, fileErrors, reader.HeldBackUnfinishedLine);

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

            var published = await sink.PublishBatchAsync(batch.Select(b => b.Envelope).ToArray(), channel, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < batch.Count; i++)
            {
                results.Add(new FileDropLineResult { LineNumber = batch[i].Line, EventId = batch[i].EventId is { } id ? FreeText.Escape(id) : null, Status = published[i].Status, Errors = published[i].Errors });
            }

            batch.Clear();
        }
    }

    /// <summary>The source and the id of a line that was rejected, each when it can be read from it; never throws.</summary>
    private static (string? Source, string? Id) ReadKey(ReadOnlyMemory<byte> json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            return root.ValueKind == JsonValueKind.Object ? (Text(root, "source"u8), Text(root, "id"u8)) : (null, null);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or ArgumentException)
        {
            // Malformed JSON.
            return (null, null);
        }

        static string? Text(JsonElement root, ReadOnlySpan<byte> name)
        {
            try
            {
                return root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
            }
            catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
            {
                // A member the reader cannot turn into text (invalid UTF-8, an unpaired \uD800 escape) does not hide the other.
                return null;
            }
        }
    }

    /// <summary>Whether a file's last byte is a line feed (an empty file does not end with one).</summary>
    private static bool EndsWithLineBreak(Microsoft.Win32.SafeHandles.SafeFileHandle handle, long length)
    {
        if (length == 0)
        {
            return false;
        }

        Span<byte> last = stackalloc byte[1];
        return RandomAccess.Read(handle, last, length - 1) == 1 && last[0] == (byte)'\n';
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort: the file's failure is what gets reported.
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
        for (var n = 2; FileDropFiles.IsTaken(candidate) || FileDropFiles.IsTaken(Path.Combine(folder, ReportName(Path.GetFileName(candidate)))); n++)
        {
            // A suffix must not push a name near the file-system limit over it: the stem gives way, never the suffix.
            candidate = Path.Combine(folder, FileDropFiles.FitName(stem, string.Create(CultureInfo.InvariantCulture, $"-{n}{extension}")));
        }

        return candidate;
    }

    /// <summary>The report's name beside a moved file: <c>&lt;name&gt;.report.json</c>, shortened when that would be too long a name.</summary>
    private static string ReportName(string movedFileName) => FileDropFiles.FitName(movedFileName, ".report.json");

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
            WriteErrors(writer, "errors", report.Errors);

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
                WriteErrors(writer, "reasons", line.Errors);

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }


    /// <summary>Writes a report's problems as an array of path, code and message; nothing when there are none.</summary>
    private static void WriteErrors(Utf8JsonWriter writer, string name, IReadOnlyList<ValidationError> errors)
    {
        if (errors.Count == 0)
        {
            return;
        }

        writer.WriteStartArray(name);
        foreach (var error in errors)
        {
            writer.WriteStartObject();
            writer.WriteString("path", error.Path);
            writer.WriteString("code", error.ReasonCode.Code);
            writer.WriteString("message", error.Message);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    /// <summary>What publishing a file gave: its lines, its own problems, what was read (<see langword="null"/> when it was not opened) and when.</summary>
    private sealed record PublishedFile(IReadOnlyList<FileDropLineResult> Lines, IReadOnlyList<ValidationError> FileErrors, FileIdentity? Identity, DateTimeOffset ProcessedAt);

    /// <summary>Enough of a file's metadata to tell that the file at a name is no longer the one that was read: its length and last write time.</summary>
    private readonly record struct FileIdentity(long Length, DateTime LastWriteUtc)
    {
        public static FileIdentity Of(Microsoft.Win32.SafeHandles.SafeFileHandle handle) => new(RandomAccess.GetLength(handle), File.GetLastWriteTimeUtc(handle));

        /// <summary>The identity of the file at a path now (of its target, for a link), or <see langword="null"/> when there is none.</summary>
        public static FileIdentity? Of(string path)
        {
            FileSystemInfo? info = new FileInfo(path);
            try
            {
                info = info.LinkTarget is null ? info : info.ResolveLinkTarget(returnFinalTarget: true);
            }
            catch (IOException)
            {
                return null;
            }

            return info is FileInfo { Exists: true } file ? new FileIdentity(file.Length, file.LastWriteTimeUtc) : null;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "File drop {Source}: {File} processed: {Accepted} accepted, {Duplicates} duplicates, {Rejected} rejected.")]
        public static partial void FileProcessed(ILogger logger, string source, string file, int accepted, int duplicates, int rejected);

        [LoggerMessage(EventId = 2002, Level = LogLevel.Debug, Message = "File drop {Source}: {File} could not be opened; it is tried again at the next poll.")]
        public static partial void FileSkipped(ILogger logger, string source, string file, Exception exception);

        [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "File drop {Source}: the poll failed; it is tried again at the next interval.")]
        public static partial void PollFailed(ILogger logger, string source, Exception exception);

        [LoggerMessage(EventId = 2004, Level = LogLevel.Warning, Message = "File drop {Source}: {File} failed; the other files go on and it is tried again at the next poll.")]
        public static partial void FileFailed(ILogger logger, string source, string file, Exception exception);

        [LoggerMessage(EventId = 2005, Level = LogLevel.Information, Message = "File drop {Source}: {File} changed while it was read; it is read again at the next poll.")]
        public static partial void FileChanged(ILogger logger, string source, string file);

        [LoggerMessage(EventId = 2006, Level = LogLevel.Debug, Message = "File drop {Source}: {File} is empty or does not end with a line break and changed since the previous poll; it is read when it stays unchanged for a poll.")]
        public static partial void FileUnfinished(ILogger logger, string source, string file);
    }
}
