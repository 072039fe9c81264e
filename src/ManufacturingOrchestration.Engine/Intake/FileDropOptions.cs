using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Model.Validation;

namespace ManufacturingOrchestration.Engine.Intake;

/// <summary>Settings of a <see cref="FileDropSource"/>, with documented defaults.</summary>
public sealed class FileDropOptions
{
    /// <summary>The folder plants drop <c>*.jsonl</c> and <c>*.csv</c> files into. Required.</summary>
    public string Directory { get; set; } = string.Empty;

    /// <summary>The sub-folder files whose every line was accepted (or was a duplicate) are moved to. Default <c>processed</c>.</summary>
    public string ProcessedDirectoryName { get; set; } = "processed";

    /// <summary>The sub-folder files with at least one rejected line are moved to. Default <c>rejected</c>.</summary>
    public string RejectedDirectoryName { get; set; } = "rejected";

    /// <summary>How often the folder is looked at. Default 5 seconds.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The clock the polling runs on. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>The CloudEvents source of events read from CSV rows that have no <c>source</c> column. Default <c>file-drop</c>.
    /// It must be a source an event can have (a URI-reference that follows the identifier rules, at most
    /// <see cref="Identifier.MaxKeyLength"/> characters); <see cref="Validate"/> refuses another one.</summary>
    public string CsvSource { get; set; } = "file-drop";

    /// <summary>The event type of CSV rows without a <c>type</c> column (such as <c>cycle-count</c>); none by default.</summary>
    public string? DefaultCsvEventType { get; set; }

    /// <summary>The CSV field delimiter. Default <c>,</c> (many European exports use <c>;</c>).</summary>
    public char CsvDelimiter { get; set; } = ',';

    /// <summary>How many lines are published in one batch. Default 256.</summary>
    public int BatchSize { get; set; } = 256;

    /// <summary>The source's name in logs and health reports (a rejection's channel is <c>file:&lt;file name&gt;</c>). Default <c>file-drop</c>.
    /// It follows the identifier rules (printable, single-line, no white space at either end), at most
    /// <see cref="Identifier.MaxKeyLength"/> characters; <see cref="Validate"/> refuses another one.</summary>
    public string Name { get; set; } = "file-drop";

    /// <summary>Validates the settings.</summary>
    /// <exception cref="ArgumentException">A setting is not valid.</exception>
    public void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(Directory, nameof(Directory));
        ArgumentException.ThrowIfNullOrWhiteSpace(ProcessedDirectoryName, nameof(ProcessedDirectoryName));
        ArgumentException.ThrowIfNullOrWhiteSpace(RejectedDirectoryName, nameof(RejectedDirectoryName));
        ArgumentException.ThrowIfNullOrWhiteSpace(CsvSource, nameof(CsvSource));
        ArgumentException.ThrowIfNullOrWhiteSpace(Name, nameof(Name));
        if (!Identifier.IsValid(Name, Identifier.MaxKeyLength, out var nameProblem))
        {
            // The name goes into logs and health reports as it is: it must be printable, single-line text.
            throw new ArgumentException($"FileDropOptions.Name '{FreeText.Escape(Name)}' is not a valid name: it {nameProblem}.", nameof(Name));
        }

        if (SourceProblem(CsvSource) is { } sourceProblem)
        {
            // Checked here, with the rule every event's source is checked by, so a bad value stops the start instead of
            // having every row refused.
            throw new ArgumentException($"FileDropOptions.CsvSource '{FreeText.Escape(CsvSource)}' is not a source an event can have: {sourceProblem}", nameof(CsvSource));
        }
        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(PollInterval, TimeSpan.Zero, nameof(PollInterval));
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1, nameof(BatchSize));
        if (string.Equals(ProcessedDirectoryName, RejectedDirectoryName, StringComparison.Ordinal))
        {
            throw new ArgumentException("The processed and rejected folders must differ.", nameof(RejectedDirectoryName));
        }

        if (CsvDelimiter is '"' or '\r' or '\n')
        {
            throw new ArgumentException("The CSV delimiter cannot be a quote or a line break.", nameof(CsvDelimiter));
        }
    }

    /// <summary>What the event validator says of an envelope with this source (the rule has its home there), or
    /// <see langword="null"/> when an event can have it.</summary>
    private static string? SourceProblem(string source)
    {
        var probe = new EventEnvelope { Id = "probe", Source = source, Type = "probe", Data = null! };
        var problems = EventValidator.Default.Validate(probe).Where(e => e.Path == "$.source").Select(e => e.Message).ToArray();
        return problems.Length == 0 ? null : string.Join(" ", problems);
    }
}
