using System.Globalization;
using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Approvals;
using ManufacturingOrchestration.Engine.Audit;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Operations;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Engine.Traceability;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Rules;
using ManufacturingOrchestration.Scenarios;
using ManufacturingOrchestration.Scenarios.Reconciliation;
using Microsoft.Extensions.Time.Testing;

namespace ManufacturingOrchestration.Testing;

/// <summary>
/// An orchestrator wired to the plant simulators, a store and a fake clock, with helpers to publish, wait until the
/// work is done, move time (firing due retries, timers and deadlines in order) and check the effects and the audit.
/// </summary>
/// <example>
/// <code>
/// await using var harness = new OrchestrationTestHarness();
/// harness.AddSite(new SiteProfile { Id = site, HoldLocation = new BinId("Q-HOLD") });
/// harness.Plant.AddMaterial(material).AddLot(lot, new BinId("RCV-1"));
/// await harness.StartAsync(ct);
/// await harness.PublishAndWaitAsync([failedInspection], ct);
/// harness.AssertEffectOnce(CommandKinds.ErpChangeStockCategory, lot.Id);
/// await harness.AssertAuditIntactAsync(ct);
/// </code>
/// </example>
public sealed class OrchestrationTestHarness : IAsyncDisposable
{
    private const int MaxTimerSteps = 100_000;

    private readonly TimeSpan _idleTimeout;

    /// <summary>Creates the harness (not started).</summary>
    /// <param name="options">The settings; defaults when <see langword="null"/>.</param>
    public OrchestrationTestHarness(OrchestrationTestHarnessOptions? options = null)
    {
        options ??= new OrchestrationTestHarnessOptions();
        if (options.IdleTimeout < TimeSpan.Zero && options.IdleTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.IdleTimeout, "IdleTimeout must be positive, zero or Timeout.InfiniteTimeSpan.");
        }

        _idleTimeout = options.IdleTimeout;
        Time = new FakeTimeProvider(options.StartTime);
        Plant = new PlantSimulator(new PlantSimulatorOptions { TimeProvider = Time, Seed = options.Seed, EffectsLogPath = options.EffectsLogPath });
        var rules = new DecisionEngineBuilder();
        if (options.Rules is null)
        {
            rules.AddStandardRules();
        }
        else
        {
            options.Rules(rules);
        }

        var engine = rules.Build();
        Actors = new InMemoryActorDirectory(options.Actors);
        Scenarios = options.CreateScenarioServices?.Invoke(engine) ?? new ScenarioServices(engine) { Actors = Actors };
        Store = options.Store ?? new InMemoryOrchestrationStore();
        Traceability = options.Traceability?.Invoke(Time);
        var adapters = Plant.AddTo(new AdapterSet());
        if (Traceability is not null)
        {
            adapters.Add(CommandKinds.TraceabilitySystem, new TraceabilityRepositoryAdapter(Traceability));
        }

        Options = new OrchestratorOptions
        {
            Store = Store,
            Adapters = adapters,
            TimeProvider = Time,
            Actors = Actors,
            Settings = { Parallelism = 2, JitterSeed = options.Seed },
        };
        var workflows = options.Workflows.Count == 0 ? [IncomingInspectionWorkflow.Create] : options.Workflows;
        foreach (var create in workflows)
        {
            Options.Workflows.Add(create(Scenarios));
        }

        options.Configure?.Invoke(Options);
        Orchestrator = new Orchestrator(Options);
    }

    /// <summary>The fake clock everything runs on.</summary>
    public FakeTimeProvider Time { get; }

    /// <summary>The simulated ERP, MES, QMS, WMS, procurement and notification systems.</summary>
    public PlantSimulator Plant { get; }

    /// <summary>What the simulators applied, in order.</summary>
    public EffectsLog Effects => Plant.Effects;

    /// <summary>The rules, sites and master-data cache of the shipped workflows.</summary>
    public ScenarioServices Scenarios { get; }

    /// <summary>The genealogy repository the traceability command reaches, or <see langword="null"/> when none is configured.</summary>
    public ITraceabilityRepository? Traceability { get; }

    /// <summary>The actor directory (add operators and approvers here).</summary>
    public InMemoryActorDirectory Actors { get; }

    /// <summary>The store.</summary>
    public IOrchestrationStore Store { get; }

    /// <summary>The orchestrator's options.</summary>
    public OrchestratorOptions Options { get; }

    /// <summary>The orchestrator.</summary>
    public Orchestrator Orchestrator { get; }

    /// <summary>Registers a site with both the simulators and the workflows' site directory.</summary>
    /// <param name="site">The profile.</param>
    /// <returns>This harness.</returns>
    public OrchestrationTestHarness AddSite(SiteProfile site)
    {
        ArgumentNullException.ThrowIfNull(site);
        Plant.AddSite(site);
        Scenarios.Sites.Add(site);
        return this;
    }

    /// <summary>Starts the orchestrator.</summary>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>This harness.</returns>
    public async Task<OrchestrationTestHarness> StartAsync(CancellationToken cancellationToken)
    {
        await Orchestrator.StartAsync(cancellationToken).ConfigureAwait(false);
        return this;
    }

    /// <summary>Publishes one event (it is processed in the background; see <see cref="WaitForIdleAsync"/>).</summary>
    /// <param name="envelope">The event.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Accepted, duplicate or rejected.</returns>
    public ValueTask<PublishResult> PublishAsync(EventEnvelope envelope, CancellationToken cancellationToken) =>
        Orchestrator.PublishAsync(envelope, cancellationToken);

    /// <summary>Publishes events in order, then waits until all work they caused is done.</summary>
    /// <param name="envelopes">The events.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>One result per event.</returns>
    public async Task<IReadOnlyList<PublishResult>> PublishAndWaitAsync(IEnumerable<EventEnvelope> envelopes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envelopes);
        var results = new List<PublishResult>();
        foreach (var envelope in envelopes)
        {
            results.Add(await Orchestrator.PublishAsync(envelope, cancellationToken).ConfigureAwait(false));
        }

        await WaitForIdleAsync(cancellationToken).ConfigureAwait(false);
        return results;
    }

    /// <summary>
    /// Waits until no work is queued or running and no timer is due (timers due later do not count), for at most
    /// <see cref="OrchestrationTestHarnessOptions.IdleTimeout"/>.
    /// </summary>
    /// <param name="cancellationToken">Ends the wait.</param>
    /// <returns>A task that completes when idle.</returns>
    /// <exception cref="TimeoutException">The orchestrator was not idle within the time limit; the message says what was pending.</exception>
    public async Task WaitForIdleAsync(CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(_idleTimeout);
        try
        {
            await Orchestrator.WaitForIdleAsync(limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (limit.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // A wait that never ends would hold the test until its runner gives up, with nothing said about why.
            var due = await Store.ReadNextTimerDueAsync(cancellationToken).ConfigureAwait(false);
            throw new TimeoutException(
                string.Create(CultureInfo.InvariantCulture, $"The orchestrator was not idle after {_idleTimeout}: {Orchestrator.Backlog} work item(s) queued or running, next timer due {(due is { } at ? at.ToString("O", CultureInfo.InvariantCulture) : "never")}, clock at {Time.GetUtcNow():O}."),
                ex);
        }
    }

    /// <summary>
    /// Moves the fake clock forward by <paramref name="by"/>, stopping at every durable timer that falls due on the way
    /// (retries, SLA deadlines, escalations) and waiting until its work is done, so timers fire in order and at their
    /// own time, as they would in a plant.
    /// </summary>
    /// <param name="by">How far to move the clock; not negative.</param>
    /// <param name="cancellationToken">Ends the wait.</param>
    /// <returns>A task that completes when the clock reached the target and the orchestrator is idle.</returns>
    /// <exception cref="InvalidOperationException">A timer stayed due after it was processed many times (a workflow that reschedules itself without end).</exception>
    public async Task AdvanceAsync(TimeSpan by, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        var target = Time.GetUtcNow() + by;
        await WaitForIdleAsync(cancellationToken).ConfigureAwait(false);
        for (var step = 0; ; step++)
        {
            if (step == MaxTimerSteps)
            {
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"Timers kept falling due after {MaxTimerSteps} steps before {target:O}."));
            }

            var next = await Store.ReadNextTimerDueAsync(cancellationToken).ConfigureAwait(false);
            if (next is not { } due || due > target)
            {
                break;
            }

            if (due > Time.GetUtcNow())
            {
                Time.SetUtcNow(due);
            }

            await WaitForIdleAsync(cancellationToken).ConfigureAwait(false);
        }

        if (Time.GetUtcNow() < target)
        {
            Time.SetUtcNow(target);
        }

        await WaitForIdleAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The effects of one command kind (such as <c>CommandKinds.ErpChangeStockCategory</c>), optionally for one lot.</summary>
    /// <param name="commandKind">The command kind.</param>
    /// <param name="lot">Only effects on this lot; all when <see langword="null"/>.</param>
    /// <returns>The effects, in the order they were applied.</returns>
    public IReadOnlyList<EffectRecord> EffectsOf(string commandKind, LotId? lot = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(commandKind);
        return Effects.Records
            .Where(r => string.Equals(r.CommandKind, commandKind, StringComparison.Ordinal) && (lot is null || string.Equals(r.Lot, lot.Value.Value, StringComparison.Ordinal)))
            .ToArray();
    }

    /// <summary>Checks that exactly one effect of a command kind was applied to a lot (exactly-once in effect).</summary>
    /// <param name="commandKind">The command kind.</param>
    /// <param name="lot">The lot.</param>
    /// <returns>The effect.</returns>
    /// <exception cref="OrchestrationAssertionException">There was none, or more than one.</exception>
    public EffectRecord AssertEffectOnce(string commandKind, LotId lot)
    {
        var found = EffectsOf(commandKind, lot);
        return found.Count == 1
            ? found[0]
            : throw new OrchestrationAssertionException(string.Create(CultureInfo.InvariantCulture, $"Expected exactly one '{commandKind}' effect on lot {lot.Value}, found {found.Count}. Effects on the lot: {Describe(lot)}"));
    }

    /// <summary>Checks that no effect of a command kind was applied to a lot.</summary>
    /// <param name="commandKind">The command kind.</param>
    /// <param name="lot">The lot.</param>
    /// <exception cref="OrchestrationAssertionException">There was one.</exception>
    public void AssertNoEffect(string commandKind, LotId lot)
    {
        var found = EffectsOf(commandKind, lot);
        if (found.Count > 0)
        {
            throw new OrchestrationAssertionException(string.Create(CultureInfo.InvariantCulture, $"Expected no '{commandKind}' effect on lot {lot.Value}, found {found.Count}: {string.Join("; ", found.Select(f => f.Summary))}"));
        }
    }

    /// <summary>Counts the effects applied per command kind, optionally on one lot, to compare with exactly what a scenario should do.</summary>
    /// <param name="lot">Only effects on this lot; all when <see langword="null"/>.</param>
    /// <returns>How many effects of each command kind were applied (kinds with none are absent).</returns>
    public IReadOnlyDictionary<string, int> EffectCounts(LotId? lot = null) =>
        Effects.Records
            .Where(r => lot is null || string.Equals(r.Lot, lot.Value.Value, StringComparison.Ordinal))
            .GroupBy(r => r.CommandKind, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

    /// <summary>Checks that a partition (lot, <c>order/…</c>) waits for exactly one approval, and returns it.</summary>
    /// <param name="partitionKey">The partition.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The pending approval: role, site, requester, due time, escalation level.</returns>
    /// <exception cref="OrchestrationAssertionException">The partition waits for no approval, or for more than one.</exception>
    public async Task<PendingApproval> AssertPendingApprovalAsync(string partitionKey, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(partitionKey);
        var pending = await Orchestrator.GetPendingApprovalsAsync(partitionKey, cancellationToken).ConfigureAwait(false);
        return pending.Count == 1
            ? pending[0]
            : throw new OrchestrationAssertionException(string.Create(CultureInfo.InvariantCulture, $"Expected exactly one pending approval on {partitionKey}, found {pending.Count}: {string.Join("; ", pending.Select(p => $"{p.Gate} by {p.Role} at {p.Site}"))}"));
    }

    /// <summary>
    /// What the host's authentication would produce for <paramref name="actor"/> signing in now: an
    /// <see cref="AuthenticatedIdentity"/> authenticated at the harness's current time by <see cref="TestIdentity.Method"/>.
    /// </summary>
    /// <param name="actor">The actor.</param>
    /// <returns>The identity.</returns>
    public AuthenticatedIdentity Identity(ActorId actor) => TestIdentity.For(actor, Time);

    /// <summary>
    /// Signs the one approval a partition waits for as a person would — authenticated now on the harness's clock,
    /// through <see cref="Orchestrator.SignApprovalAsync"/> — and waits until the work it resumed is done. The
    /// orchestrator checks the signer: an unknown signer, the requester or someone without the role is refused and audited.
    /// </summary>
    /// <param name="partitionKey">The partition that waits.</param>
    /// <param name="signer">Who approves.</param>
    /// <param name="reason">The reason recorded with the signature.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The orchestrator's answer: done, or why the signature was refused.</returns>
    /// <exception cref="OrchestrationAssertionException">The partition waits for no approval, or for more than one.</exception>
    public Task<OperatorActionResult> ApproveAsync(string partitionKey, ActorId signer, string reason, CancellationToken cancellationToken) =>
        AnswerApprovalAsync(partitionKey, Identity(signer), SignatureMeaning.Approve, reason, null, cancellationToken);

    /// <summary>Refuses the one approval a partition waits for (see <see cref="ApproveAsync"/>) and waits until the work it caused is done.</summary>
    /// <param name="partitionKey">The partition that waits.</param>
    /// <param name="signer">Who refuses.</param>
    /// <param name="reason">The reason recorded with the signature.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The orchestrator's answer: done, or why the signature was refused.</returns>
    /// <exception cref="OrchestrationAssertionException">The partition waits for no approval, or for more than one.</exception>
    public Task<OperatorActionResult> RefuseAsync(string partitionKey, ActorId signer, string reason, CancellationToken cancellationToken) =>
        AnswerApprovalAsync(partitionKey, Identity(signer), SignatureMeaning.Reject, reason, null, cancellationToken);

    /// <summary>
    /// Answers the one approval a partition waits for as a given authenticated identity (use it to test an old
    /// authentication, a justification or a refusal), then waits until the work it caused is done.
    /// </summary>
    /// <param name="partitionKey">The partition that waits.</param>
    /// <param name="signer">The signer, as the host would have authenticated them.</param>
    /// <param name="meaning"><see cref="SignatureMeaning.Approve"/> or <see cref="SignatureMeaning.Reject"/>.</param>
    /// <param name="reason">The reason recorded with the signature.</param>
    /// <param name="justification">A documented justification, where the request needs one.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The orchestrator's answer: done, or why the signature was refused.</returns>
    /// <exception cref="OrchestrationAssertionException">The partition waits for no approval, or for more than one.</exception>
    public async Task<OperatorActionResult> AnswerApprovalAsync(string partitionKey, AuthenticatedIdentity signer, SignatureMeaning meaning, string reason, string? justification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(signer);
        var pending = await AssertPendingApprovalAsync(partitionKey, cancellationToken).ConfigureAwait(false);
        var result = await Orchestrator.SignApprovalAsync(
            new ApprovalAnswer { PartitionKey = partitionKey, RequestId = pending.RequestId, Meaning = meaning, Reason = reason, Justification = justification },
            signer,
            cancellationToken).ConfigureAwait(false);
        await WaitForIdleAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>
    /// Runs a drift reconciliation of the given lots (orchestrator against the ERP and WMS simulators), then waits until
    /// the alerts and corrections it published are done.
    /// </summary>
    /// <param name="lots">The lots to compare.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The report: findings per category, alerts raised, problems.</returns>
    public async Task<DriftReport> ReconcileAsync(IEnumerable<LotId> lots, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lots);
        var report = await new DriftReconciler(Orchestrator).ReconcileAsync(lots, cancellationToken).ConfigureAwait(false);
        await WaitForIdleAsync(cancellationToken).ConfigureAwait(false);
        return report;
    }

    /// <summary>Verifies every audit chain and the latest checkpoint.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The result.</returns>
    public ValueTask<AuditVerificationResult> VerifyAuditAsync(CancellationToken cancellationToken) => Orchestrator.Audit.VerifyAllAsync(cancellationToken);

    /// <summary>Checks that the audit trail verifies (nothing modified, deleted, reordered or truncated).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The result, when valid.</returns>
    /// <exception cref="OrchestrationAssertionException">The trail failed verification; the message lists the violations.</exception>
    public async Task<AuditVerificationResult> AssertAuditIntactAsync(CancellationToken cancellationToken)
    {
        var result = await VerifyAuditAsync(cancellationToken).ConfigureAwait(false);
        return result.IsValid
            ? result
            : throw new OrchestrationAssertionException("The audit trail failed verification: " + string.Join("; ", result.Violations.Select(v => $"{v.Kind} {v.PartitionKey}#{v.Sequence}: {v.Message}")));
    }

    /// <summary>Checks that no dead letter is open (no key is parked).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when checked.</returns>
    /// <exception cref="OrchestrationAssertionException">Dead letters are open; the message lists them.</exception>
    public async Task AssertNoOpenDeadLettersAsync(CancellationToken cancellationToken)
    {
        var open = await Orchestrator.GetDeadLettersAsync(DeadLetterQuery.Open, cancellationToken).ConfigureAwait(false);
        if (open.Count > 0)
        {
            throw new OrchestrationAssertionException($"{open.Count} dead letters are open: " + string.Join("; ", open.Select(d => $"{d.PartitionKey} {d.Command?.Kind} {d.ReasonCode} {d.Message}")));
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await Orchestrator.DisposeAsync().ConfigureAwait(false);
        Plant.Dispose();
    }

    private string Describe(LotId lot)
    {
        var effects = Effects.Records.Where(r => string.Equals(r.Lot, lot.Value, StringComparison.Ordinal)).Select(r => r.CommandKind).ToArray();
        return effects.Length == 0 ? "none" : string.Join(", ", effects);
    }
}
