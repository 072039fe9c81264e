using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Model.Validation;

namespace ManufacturingOrchestration.Engine.Intake;

/// <summary>What happened to one line of a dropped file.</summary>
public sealed class FileDropLineResult
{
    /// <summary>The 1-based line number in the file.</summary>
    public required int LineNumber { get; init; }

    /// <summary>The event id, when one could be read or derived. A CSV row that cannot be mapped to an event is reported
    /// under its own <c>event_id</c> cell when that is a valid id, otherwise under its derived id.</summary>
    public string? EventId { get; init; }

    /// <summary>Accepted, duplicate (accepted before, for example before a crash) or rejected.</summary>
    public required PublishStatus Status { get; init; }

    /// <summary>Every problem, for a rejected line.</summary>
    public IReadOnlyList<ValidationError> Errors { get; init; } = [];
}

/// <summary>What happened to the lines of a file's content published with <see cref="FileDropSource.PublishContentAsync"/>.</summary>
public sealed class FileDropContentResult
{
    /// <summary>Each line's result, in file order.</summary>
    public required IReadOnlyList<FileDropLineResult> Lines { get; init; }

    /// <summary>Problems of the content as a whole (for example not UTF-8); empty when it could be read.</summary>
    public required IReadOnlyList<ValidationError> FileErrors { get; init; }
}

/// <summary>What happened to one dropped file; written as JSON beside the file where it was moved.</summary>
public sealed class FileDropReport
{
    /// <summary>The file's name.</summary>
    public required string FileName { get; init; }

    /// <summary>Where the file is now (in the processed or rejected folder).</summary>
    public required string MovedTo { get; init; }

    /// <summary>Where the report was written.</summary>
    public required string ReportPath { get; init; }

    /// <summary>When the file was processed.</summary>
    public required DateTimeOffset ProcessedAt { get; init; }

    /// <summary>One result per non-empty line with an event (the CSV header is not counted).</summary>
    public required IReadOnlyList<FileDropLineResult> Lines { get; init; }

    /// <summary>Problems of the file itself (not a regular file, unreadable, not UTF-8); each is also recorded as a rejection.</summary>
    public IReadOnlyList<ValidationError> Errors { get; init; } = [];

    /// <summary>Lines accepted now.</summary>
    public int Accepted => Lines.Count(l => l.Status == PublishStatus.Accepted);

    /// <summary>Lines accepted before (same source and id).</summary>
    public int Duplicates => Lines.Count(l => l.Status == PublishStatus.Duplicate);

    /// <summary>Lines rejected (each rejection is also recorded in the store).</summary>
    public int Rejected => Lines.Count(l => l.Status == PublishStatus.Rejected);

    /// <summary>Whether the file went to the rejected folder (at least one line, or the file itself, was rejected).</summary>
    public bool IsRejected => Rejected > 0 || Errors.Count > 0;
}
