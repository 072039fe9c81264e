using ManufacturingOrchestration.Engine.Approvals;
using ManufacturingOrchestration.Engine.Audit;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Engine.Operations;

/// <summary>
/// One place for what an operator on shift asks: open dead letters, parked keys, pending approvals, SLA breaches,
/// rejected events and stock drift, each filterable by site, lot, workflow and time where the data carries them.
/// </summary>
/// <remarks>
/// <para>Read-only, and no query reads every key the store holds: the store queries use its indexes, so their cost follows
/// what they find. Dead letters and rejections are indexed reads. Pending approvals without a lot or partition
/// key read the keys whose current state waits for an approval
/// (<see cref="IOrchestrationStore.ReadPartitionsWaitingForAsync"/>) and then one state per such key; SLA breaches without
/// a key read the <c>sla-breached</c> audit records by action and time (<see cref="IOrchestrationStore.ReadAuditByActionAsync"/>),
/// plus one state per breached key when a site is given. With a key, both read that key only.
/// Stock drift is answered by the scenarios package's drift reconciler, from its recent reports.</para>
/// <para>A filter a query cannot honour is refused with an <see cref="ArgumentException"/>; see each method.</para>
/// </remarks>
public sealed class OperatorQueries
{
    private readonly IOrchestrationStore _store;

    /// <summary>Creates the queries over an orchestrator's store.</summary>
    /// <param name="orchestrator">The orchestrator.</param>
    public OperatorQueries(Orchestrator orchestrator)
        : this((orchestrator ?? throw new ArgumentNullException(nameof(orchestrator))).Store)
    {
    }

    /// <summary>Creates the queries over a store.</summary>
    /// <param name="store">The store.</param>
    public OperatorQueries(IOrchestrationStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
    }

    /// <summary>Dead letters, oldest first. Filters: site, lot / partition key, workflow (of the failed command), time (when dead-lettered).</summary>
    /// <param name="filter">The filter.</param>
    /// <param name="includeResolved">Whether resolved dead letters are included too. Default: open ones only.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The dead letters.</returns>
    public async ValueTask<IReadOnlyList<DeadLetter>> GetDeadLettersAsync(OperatorQueryFilter filter, bool includeResolved, CancellationToken cancellationToken = default)
    {
        Check(filter, nameof(GetDeadLettersAsync), workflow: true, site: true);
        var query = new DeadLetterQuery
        {
            OnlyOpen = !includeResolved,
            PartitionKey = filter.Key,
            Site = filter.Site?.Value,
            From = filter.From,
            To = filter.To,
            MaxCount = filter.Workflow is null ? filter.MaxCount : int.MaxValue,
        };
        var found = await _store.ReadDeadLettersAsync(query, cancellationToken).ConfigureAwait(false);
        if (filter.Workflow is null)
        {
            return found;
        }

        return found.Where(d => d.Command is { } command && WorkflowMatches(command.Workflow, filter.Workflow)).Take(filter.MaxCount).ToArray();
    }

    /// <summary>
    /// Keys parked behind an open dead letter (their later events wait), oldest first. Derived from the open dead letters
    /// and confirmed against each key's state. Filters: site, lot / partition key, workflow (of the failed command), time (parked since).
    /// </summary>
    /// <param name="filter">The filter.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The parked keys.</returns>
    public async ValueTask<IReadOnlyList<ParkedKey>> GetParkedKeysAsync(OperatorQueryFilter filter, CancellationToken cancellationToken = default)
    {
        Check(filter, nameof(GetParkedKeysAsync), workflow: true, site: true);
        var open = await GetDeadLettersAsync(filter with { From = null, To = null, MaxCount = int.MaxValue }, includeResolved: false, cancellationToken).ConfigureAwait(false);
        var parked = new List<ParkedKey>();
        foreach (var group in open.GroupBy(d => d.PartitionKey, StringComparer.Ordinal))
        {
            var state = await _store.LoadPartitionAsync(group.Key, cancellationToken).ConfigureAwait(false);
            if (state?.Parked is not { } park || !filter.InRange(park.Since))
            {
                continue;
            }

            var letter = group.FirstOrDefault(d => d.Id == park.DeadLetterId) ?? group.First();
            parked.Add(new ParkedKey
            {
                PartitionKey = group.Key,
                DeadLetterId = park.DeadLetterId,
                Since = park.Since,
                ReasonCode = park.ReasonCode,
                Message = letter.Message,
                Site = letter.Site,
                Workflow = letter.Command?.Workflow,
                OpenDeadLetters = group.Count(),
            });
        }

        return parked.OrderBy(p => p.Since).Take(filter.MaxCount).ToArray();
    }

    /// <summary>
    /// Approvals waiting for a person, oldest request first. Filters: site (the approval's), lot / partition key,
    /// workflow (that asked), time (requested at). Without a key it reads the store's index of keys waiting for an approval,
    /// then the state of each of those keys.
    /// </summary>
    /// <param name="filter">The filter.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The pending approvals with their keys.</returns>
    /// <exception cref="ManufacturingOrchestrationException">
    /// <see cref="ReasonCodes.StoreDataUnreadable"/>: a stored request cannot be read back (the message names it and its
    /// partition): a list that silently left out a waiting approval would hide it from whoever must sign it.
    /// </exception>
    public async ValueTask<IReadOnlyList<PendingApprovalEntry>> GetPendingApprovalsAsync(OperatorQueryFilter filter, CancellationToken cancellationToken = default)
    {
        Check(filter, nameof(GetPendingApprovalsAsync), workflow: true, site: true);
        var entries = new List<PendingApprovalEntry>();
        foreach (var key in await WaitingKeysAsync(filter, cancellationToken).ConfigureAwait(false))
        {
            var state = await _store.LoadPartitionAsync(key, cancellationToken).ConfigureAwait(false);
            if (state is null)
            {
                continue;
            }

            foreach (var instance in state.Instances)
            {
                if (!ApprovalStore.IsWaitingRequest(instance) || (filter.Workflow is { } workflow && instance.Workflow != workflow))
                {
                    continue;
                }

                var pending = ApprovalStore.Read(instance, state.Key);
                if ((filter.Site is { } site && pending.Site != site) || !filter.InRange(pending.RequestedAt))
                {
                    continue;
                }

                entries.Add(new PendingApprovalEntry { PartitionKey = key, Workflow = instance.Workflow, Approval = pending });
            }
        }

        return entries.OrderBy(e => e.Approval.RequestedAt).Take(filter.MaxCount).ToArray();
    }

    /// <summary>
    /// SLA breaches (audit records with action <c>sla-breached</c>), oldest first. Filters: lot / partition key, workflow,
    /// time (recorded at), site — the site of the key's lot, order or nonconformance, so keys without one are left out
    /// when a site is given. Without a key it reads the store's index of audit records by action and time (and, with a
    /// site, the state of each breached key once); with a key it reads that key's audit trail.
    /// </summary>
    /// <param name="filter">The filter.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The audit records of the breaches.</returns>
    public async ValueTask<IReadOnlyList<AuditRecord>> GetSlaBreachesAsync(OperatorQueryFilter filter, CancellationToken cancellationToken = default)
    {
        Check(filter, nameof(GetSlaBreachesAsync), workflow: true, site: true);
        IEnumerable<AuditRecord> candidates;
        if (filter.Key is { } key)
        {
            candidates = (await _store.ReadAuditAsync(key, 1, cancellationToken).ConfigureAwait(false)).Where(r => r.Action == SlaBreachedAction && filter.InRange(r.RecordedAt));
        }
        else
        {
            // The store applies action and time; workflow and site are applied here, so then the store returns all in range.
            var narrowedHere = filter.Workflow is not null || filter.Site is not null;
            candidates = await _store.ReadAuditByActionAsync(SlaBreachedAction, filter.From, filter.To, narrowedHere ? int.MaxValue : filter.MaxCount, cancellationToken).ConfigureAwait(false);
        }

        var breaches = new List<AuditRecord>();
        var siteMatches = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var record in candidates)
        {
            if (filter.Workflow is not null && record.Workflow != filter.Workflow)
            {
                continue;
            }

            if (filter.Site is { } site)
            {
                if (!siteMatches.TryGetValue(record.PartitionKey, out var matches))
                {
                    var state = await _store.LoadPartitionAsync(record.PartitionKey, cancellationToken).ConfigureAwait(false);
                    matches = (state?.Lot?.Site ?? state?.Order?.Site ?? state?.Nonconformance?.Site) == site;
                    siteMatches[record.PartitionKey] = matches;
                }

                if (!matches)
                {
                    continue;
                }
            }

            breaches.Add(record);
        }

        return breaches.OrderBy(b => b.RecordedAt).Take(filter.MaxCount).ToArray();
    }

    /// <summary>
    /// Events refused at intake, oldest first. Filters: site (when the event could be read), time (received at).
    /// Lot and workflow are refused: a rejected event was never routed to a key or a workflow.
    /// </summary>
    /// <param name="filter">The filter.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The rejections.</returns>
    /// <exception cref="ArgumentException">A lot, partition key or workflow filter was given.</exception>
    public async ValueTask<IReadOnlyList<RejectedEvent>> GetRejectionsAsync(OperatorQueryFilter filter, CancellationToken cancellationToken = default)
    {
        Check(filter, nameof(GetRejectionsAsync), workflow: false, site: true, key: false);
        var found = await _store.ReadRejectionsAsync(filter.From, filter.To, filter.Site is null ? filter.MaxCount : int.MaxValue, cancellationToken).ConfigureAwait(false);
        return filter.Site is { } site
            ? found.Where(r => string.Equals(r.Site, site.Value, StringComparison.Ordinal)).Take(filter.MaxCount).ToArray()
            : found;
    }

    /// <summary>The audit action the approval SLA timer records on a breach.</summary>
    public const string SlaBreachedAction = "sla-breached";

    /// <summary>How many keys one read of the waiting index returns.</summary>
    private const int WaitingPageSize = 500;

    private async ValueTask<IReadOnlyList<string>> WaitingKeysAsync(OperatorQueryFilter filter, CancellationToken cancellationToken)
    {
        if (filter.Key is { } key)
        {
            return [key];
        }

        var keys = new List<string>();
        string? after = null;
        while (true)
        {
            var page = await _store.ReadPartitionsWaitingForAsync(ApprovalRequest.WaitingFor, after, WaitingPageSize, cancellationToken).ConfigureAwait(false);
            keys.AddRange(page);
            if (page.Count < WaitingPageSize)
            {
                return keys;
            }

            after = page[^1];
        }
    }

    private static bool WorkflowMatches(string recorded, string name) =>
        string.Equals(recorded, name, StringComparison.Ordinal) || recorded.StartsWith(name + "@", StringComparison.Ordinal);

    private static void Check(OperatorQueryFilter filter, string query, bool workflow, bool site, bool key = true)
    {
        ArgumentNullException.ThrowIfNull(filter);
        filter.ThrowIfUnsupported(query, workflow, site, key);
    }
}

/// <summary>A key parked behind an open dead letter.</summary>
public sealed class ParkedKey
{
    /// <summary>The partition key.</summary>
    public required string PartitionKey { get; init; }

    /// <summary>The dead letter that parked it.</summary>
    public required string DeadLetterId { get; init; }

    /// <summary>Since when.</summary>
    public required DateTimeOffset Since { get; init; }

    /// <summary>The reason code of the failure.</summary>
    public required ReasonCode ReasonCode { get; init; }

    /// <summary>The failure message.</summary>
    public required string Message { get; init; }

    /// <summary>The site, when known.</summary>
    public string? Site { get; init; }

    /// <summary>The workflow (name@version) of the failed command, when a command failed.</summary>
    public string? Workflow { get; init; }

    /// <summary>How many open dead letters the key has.</summary>
    public int OpenDeadLetters { get; init; }
}

/// <summary>An approval waiting for a person, with the key whose workflow waits.</summary>
public sealed class PendingApprovalEntry
{
    /// <summary>The partition key (lot, <c>order/…</c>, …).</summary>
    public required string PartitionKey { get; init; }

    /// <summary>The workflow that asked.</summary>
    public required string Workflow { get; init; }

    /// <summary>The request.</summary>
    public required PendingApproval Approval { get; init; }
}
