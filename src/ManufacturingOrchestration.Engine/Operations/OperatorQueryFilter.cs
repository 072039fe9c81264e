using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Engine.Operations;

/// <summary>
/// Filters for <see cref="OperatorQueries"/>. Every query supports some of them; a query refuses a filter it cannot
/// honour with an <see cref="ArgumentException"/> rather than silently returning unfiltered data. The table in
/// docs/operations.md lists which filter each query supports.
/// </summary>
public sealed record OperatorQueryFilter
{
    /// <summary>No filter: everything, up to <see cref="MaxCount"/>.</summary>
    public static OperatorQueryFilter None { get; } = new();

    /// <summary>Only this site.</summary>
    public SiteId? Site { get; init; }

    /// <summary>Only this lot (its partition key).</summary>
    public LotId? Lot { get; init; }

    /// <summary>Only this partition key (a lot id, <c>order/…</c>, …); combined with <see cref="Lot"/> both must match.</summary>
    public string? PartitionKey { get; init; }

    /// <summary>Only this workflow (by name, any version).</summary>
    public string? Workflow { get; init; }

    /// <summary>Only at or after this time.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>Only before this time.</summary>
    public DateTimeOffset? To { get; init; }

    /// <summary>The most to return. Default 1000.</summary>
    public int MaxCount { get; init; } = 1000;

    /// <summary>The partition key both <see cref="Lot"/> and <see cref="PartitionKey"/> name, or <see langword="null"/> for any.</summary>
    internal string? Key => Lot?.Value ?? PartitionKey;

    internal bool KeyConflicts => Lot is { } lot && PartitionKey is { } key && !string.Equals(lot.Value, key, StringComparison.Ordinal);

    /// <summary>Whether a moment falls in the filter's time range (<see cref="From"/> inclusive, <see cref="To"/> exclusive).</summary>
    /// <param name="at">The moment.</param>
    /// <returns><see langword="true"/> when no bound excludes it.</returns>
    public bool InRange(DateTimeOffset at) => (From is null || at >= From) && (To is null || at < To);

    /// <summary>
    /// Refuses a filter that a query cannot honour, naming the query: a maximum count below 1, a lot and a partition key
    /// that name different keys, or a filter on something the query does not filter by.
    /// </summary>
    /// <param name="query">The query's name, for the message.</param>
    /// <param name="workflow">Whether the query filters by workflow.</param>
    /// <param name="site">Whether the query filters by site.</param>
    /// <param name="key">Whether the query filters by lot or partition key.</param>
    /// <exception cref="ArgumentException">The filter asks for something the query cannot do.</exception>
    public void ThrowIfUnsupported(string query, bool workflow, bool site, bool key = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxCount, 1, "filter");
        if (KeyConflicts)
        {
            throw new ArgumentException("The lot and partition key filters name different keys.", "filter");
        }

        if (!workflow && Workflow is not null)
        {
            throw new ArgumentException($"{query} cannot filter by workflow.", "filter");
        }

        if (!site && Site is not null)
        {
            throw new ArgumentException($"{query} cannot filter by site.", "filter");
        }

        if (!key && Key is not null)
        {
            throw new ArgumentException($"{query} cannot filter by lot or partition key.", "filter");
        }
    }
}
