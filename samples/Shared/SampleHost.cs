using System.Collections.Concurrent;
using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Commands;
using ManufacturingOrchestration.Engine.DependencyInjection;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Operations;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Engine.Traceability;
using ManufacturingOrchestration.Engine.Workflows;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Rules;
using ManufacturingOrchestration.Scenarios;
using ManufacturingOrchestration.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ManufacturingOrchestration.Samples;

/// <summary>
/// An orchestrator composed the way an application composes it (<c>services.AddManufacturingOrchestration(...)</c>),
/// running against the plant simulators of <see cref="Plants"/>, on the real clock. It remembers which partitions the
/// sample touched, so it can answer approvals and print the signature trail.
/// </summary>
public sealed class SampleHost : IAsyncDisposable
{
    private readonly ServiceProvider _provider;
    private readonly ConcurrentDictionary<string, byte> _partitions = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _notAccepted = new();
    private long _published;
    private long _accepted;
    private long _duplicates;
    private long _rejected;
    private int _effectsShown;

    private SampleHost(ServiceProvider provider, PlantSimulator plant, JsonFileTraceabilityRepository? traceability)
    {
        _provider = provider;
        Plant = plant;
        Traceability = traceability;
        Orchestrator = provider.GetRequiredService<Orchestrator>();
        Meters = new OrchestratorMeters(Orchestrator.Telemetry);
        Time = provider.GetRequiredService<TimeProvider>();
    }

    /// <summary>The simulated ERP, MES, QMS, WMS, procurement and notification systems.</summary>
    public PlantSimulator Plant { get; }

    /// <summary>The orchestrator.</summary>
    public Orchestrator Orchestrator { get; }

    /// <summary>The traceability repository genealogy is published to (JSON files), when the sample has one.</summary>
    public JsonFileTraceabilityRepository? Traceability { get; }

    /// <summary>What the orchestrator measured.</summary>
    public OrchestratorMeters Meters { get; }

    /// <summary>The clock.</summary>
    public TimeProvider Time { get; }

    /// <summary>Events the sample published so far (plant events and approval answers).</summary>
    public long Published => Interlocked.Read(ref _published);

    /// <summary>Of the events the sample published, those accepted as new so far.</summary>
    public long Accepted => Interlocked.Read(ref _accepted);

    /// <summary>The partitions (lots, orders, lines) the sample published to.</summary>
    public IReadOnlyCollection<string> Partitions => [.. _partitions.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Composes and starts an orchestrator over the three plants.</summary>
    /// <param name="seed">Seeds the fault injector and the retry jitter.</param>
    /// <param name="compose">Adds the workflows (and anything else, such as <c>UseSqlite</c>) to the composition; the store is in memory unless it chooses one.</param>
    /// <param name="scenario">Customises the scenario services (scrap settings, count authorities…); <see langword="null"/> for the defaults.</param>
    /// <param name="configure">Adjusts the orchestrator options after the sample defaults.</param>
    /// <param name="traceabilityDirectory">Where genealogy is published (one JSON file per lot); <see langword="null"/> for no traceability repository.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running host.</returns>
    public static async Task<SampleHost> StartAsync(
        int seed,
        Action<ManufacturingOrchestrationBuilder> compose,
        Func<ScenarioServices, ScenarioServices>? scenario = null,
        Action<OrchestratorOptions>? configure = null,
        string? traceabilityDirectory = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(compose);
        var plant = Plants.Seed(new PlantSimulator(new PlantSimulatorOptions { Seed = seed }));
        var traceability = traceabilityDirectory is null ? null : new JsonFileTraceabilityRepository(traceabilityDirectory);
        var adapters = plant.AddTo(new AdapterSet());
        if (traceability is not null)
        {
            adapters.Add(CommandKinds.TraceabilitySystem, new TraceabilityRepositoryAdapter(traceability));
        }

        var services = new ServiceCollection();
        if (scenario is not null)
        {
            services.AddSingleton(sp => scenario(new ScenarioServices(sp.GetRequiredService<DecisionEngine>(), sp.GetRequiredService<SiteDirectory>()) { Actors = sp.GetRequiredService<Engine.Approvals.IActorDirectory>() }));
        }

        services.AddManufacturingOrchestration(builder =>
        {
            builder.UseInMemoryStore();
            builder.UseAdapters(adapters).UseActorDirectory(new Engine.Approvals.InMemoryActorDirectory(Plants.People));
            foreach (var site in Plants.All)
            {
                builder.AddSite(site);
            }

            compose(builder);
            builder.Configure(options =>
            {
                options.Settings.Parallelism = 2;
                options.Settings.JitterSeed = seed;
                options.Settings.NodeId = "sample";
                // Demo-sized durable retries: a transient failure is retried within a second, not within minutes.
                options.Settings.Retry = new RetryPolicy { InitialDelay = TimeSpan.FromMilliseconds(25), MaxDelay = TimeSpan.FromMilliseconds(400), MaxAttempts = 8 };
                configure?.Invoke(options);
            });
        });
        var provider = services.BuildServiceProvider();
        var host = new SampleHost(provider, plant, traceability);
        await host.Orchestrator.StartAsync(cancellationToken);
        return host;
    }

    /// <summary>Publishes an event and remembers its partition.</summary>
    /// <param name="envelope">The event.</param>
    /// <param name="cancellationToken">Cancels the publication.</param>
    /// <returns>The result (accepted, duplicate or rejected).</returns>
    public async Task<PublishResult> PublishAsync(EventEnvelope envelope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        _partitions.TryAdd(envelope.EffectivePartitionKey, 0);
        Interlocked.Increment(ref _published);
        var result = await Orchestrator.PublishAsync(envelope, cancellationToken);
        switch (result.Status)
        {
            case PublishStatus.Accepted:
                Interlocked.Increment(ref _accepted);
                break;
            case PublishStatus.Duplicate:
                Interlocked.Increment(ref _duplicates);
                _notAccepted.Enqueue($"{envelope.Id} ({envelope.Type}): {result}");
                break;
            default:
                Interlocked.Increment(ref _rejected);
                _notAccepted.Enqueue($"{envelope.Id} ({envelope.Type}): {result}");
                break;
        }

        return result;
    }

    /// <summary>Publishes events one by one and waits until the orchestrator is idle.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <param name="events">The events.</param>
    /// <returns>A task that completes when every event was handled.</returns>
    public async Task PublishAndWaitAsync(CancellationToken cancellationToken, params EventEnvelope[] events)
    {
        foreach (var envelope in events)
        {
            var result = await PublishAsync(envelope, cancellationToken);
            if (result.Status != PublishStatus.Accepted)
            {
                throw new InvalidOperationException($"Event {envelope.Id} was not accepted: {result.Status}.");
            }
        }

        await Orchestrator.WaitForIdleAsync(cancellationToken);
    }

    /// <summary>The audit records of the sample's partitions whose action starts with <paramref name="actionPrefix"/>.</summary>
    /// <param name="actionPrefix">For example <c>e-signature:</c> or <c>sla-breached</c>.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The records, by partition then sequence.</returns>
    public async Task<IReadOnlyList<Engine.Audit.AuditRecord>> AuditAsync(string actionPrefix, CancellationToken cancellationToken)
    {
        var found = new List<Engine.Audit.AuditRecord>();
        foreach (var partition in Partitions)
        {
            var trail = await Orchestrator.GetAuditTrailAsync(partition, cancellationToken);
            found.AddRange(trail.Where(r => r.Action.StartsWith(actionPrefix, StringComparison.Ordinal)));
        }

        return found;
    }

    /// <summary>Writes the signature trail (<c>e-signature:*</c> audit records: who signed what, in which role, why).</summary>
    /// <param name="output">Where to write.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The lines written.</returns>
    public async Task<IReadOnlyList<string>> WriteSignatureTrailAsync(TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        var lines = (await AuditAsync("e-signature:", cancellationToken))
            .Select(r => $"  {r.RecordedAt:HH:mm:ss.fff}  {r.PartitionKey,-14} {r.Action,-22} {r.Actor,-10} {r.Reason}")
            .ToArray();
        await output.WriteLineAsync("Signature trail (audit records e-signature:*):");
        foreach (var line in lines)
        {
            await output.WriteLineAsync(line);
        }

        if (lines.Length == 0)
        {
            await output.WriteLineAsync("  (none)");
        }

        return lines;
    }

    /// <summary>Writes the effects the simulated systems applied since the last call (system, command, what happened).</summary>
    /// <param name="output">Where to write.</param>
    /// <returns>How many effects were written.</returns>
    public async Task<int> WriteNewEffectsAsync(TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var effects = Plant.Effects.Records;
        var fresh = effects.Skip(_effectsShown).ToArray();
        _effectsShown = effects.Count;
        foreach (var effect in fresh)
        {
            await output.WriteLineAsync($"    {effect.System,-12} {effect.CommandKind,-34} {effect.Summary}");
        }

        return fresh.Length;
    }

    /// <summary>Checks the run: audit chain, effects and dead letters, and builds the report.</summary>
    /// <param name="sample">The sample's name.</param>
    /// <param name="signatures">The signature trail lines.</param>
    /// <param name="facts">The scenario facts checked.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The report.</returns>
    public async Task<SampleReport> ReportAsync(string sample, IReadOnlyList<string> signatures, IReadOnlyDictionary<string, decimal> facts, CancellationToken cancellationToken)
    {
        var effects = Plant.Effects.Records;
        var audit = await Orchestrator.Audit.VerifyAllAsync(cancellationToken);
        var open = await Orchestrator.GetDeadLettersAsync(DeadLetterQuery.Open, cancellationToken);
        return new SampleReport
        {
            Sample = sample,
            EventsPublished = Published,
            EventsAccepted = Accepted,
            EventsDuplicate = Interlocked.Read(ref _duplicates),
            EventsRejected = Interlocked.Read(ref _rejected),
            // The orchestrator counts every event it accepts, the sample's and those its own components publish.
            EventsFromOrchestrator = Meters.Total("mo.events.accepted") - Accepted,
            EventsProcessed = Meters.Total("mo.events.processed"),
            Effects = effects.Count,
            EffectKeysUnique = effects.Select(e => e.IdempotencyKey).Distinct(StringComparer.Ordinal).Count() == effects.Count,
            AuditValid = audit.IsValid,
            OpenDeadLetters = open.Count,
            OpenDeadLetterDetails = [.. open.Select(d => $"{d.PartitionKey} {d.Command?.Kind ?? "event"}: {d.ReasonCode} {d.Message}")],
            NotAccepted = [.. _notAccepted],
            Signatures = signatures,
            Facts = facts,
        };
    }

    /// <summary>Writes a report's summary lines.</summary>
    /// <param name="report">The report.</param>
    /// <param name="output">Where to write.</param>
    /// <returns>A task that completes when written.</returns>
    public static async Task WriteSummaryAsync(SampleReport report, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(output);
        await output.WriteLineAsync("Events: " + DescribeEvents(report, "published"));
        await output.WriteLineAsync($"Effects in the simulated systems: {report.Effects} ({(report.EffectKeysUnique ? "every one under its own idempotency key" : "DUPLICATE idempotency keys")}).");
        await output.WriteLineAsync($"Audit chain: {(report.AuditValid ? "verified" : "BROKEN")}; open dead letters: {report.OpenDeadLetters}.");
        foreach (var deadLetter in report.OpenDeadLetterDetails)
        {
            await output.WriteLineAsync("  open dead letter: " + deadLetter);
        }

        foreach (var check in report.FailedChecks)
        {
            await output.WriteLineAsync("  CHECK FAILED: " + check);
        }
    }

    /// <summary>
    /// What happened to the events, in counts that add up: published = accepted + answered Duplicate + refused; then
    /// how many of all accepted events (the orchestrator's own included) were processed.
    /// </summary>
    /// <param name="report">The report.</param>
    /// <param name="published">How the published events are named, such as <c>published (150 plant events + 3 approval answers)</c>.</param>
    /// <param name="fromOrchestrator">What the events the orchestrator published itself are, if there may be any.</param>
    /// <returns>One line, without a label.</returns>
    public static string DescribeEvents(SampleReport report, string published, string fromOrchestrator = "published by the orchestrator itself")
    {
        ArgumentNullException.ThrowIfNull(report);
        var duplicate = report.EventsDuplicate == 0 ? string.Empty : " (same source and id as an event already accepted, so no effect)";
        var accepted = report.EventsAccepted + report.EventsFromOrchestrator;
        var own = report.EventsFromOrchestrator == 0 ? string.Empty : $", {report.EventsFromOrchestrator} of them {fromOrchestrator}";
        return $"{report.EventsPublished} {published} = {report.EventsAccepted} accepted + {report.EventsDuplicate} answered Duplicate{duplicate} + {report.EventsRejected} refused; "
            + $"{report.EventsProcessed} processed of {accepted} accepted in all{own}.";
    }

    /// <summary>
    /// Signs a waiting approval as <paramref name="signer"/> (by default the sample's signer for the request's role),
    /// the way a host's supervisor console would: with the identity its login authenticated, here authenticated now on
    /// the sample's clock. A signature the orchestrator takes counts as one event published and accepted; a refused one
    /// is no event (the orchestrator records the attempt in the partition's audit trail).
    /// </summary>
    /// <param name="request">The pending request.</param>
    /// <param name="partitionKey">The partition that waits.</param>
    /// <param name="approve">Approve or refuse.</param>
    /// <param name="reason">Why.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <param name="signer">Who signs; the sample's signer for the role when <see langword="null"/>.</param>
    /// <returns>Done, or why the orchestrator refused the signature.</returns>
    public async Task<OperatorActionResult> SignAsync(Engine.Approvals.PendingApproval request, string partitionKey, bool approve, string reason, CancellationToken cancellationToken, ActorId? signer = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        var answer = new Engine.Approvals.ApprovalAnswer
        {
            PartitionKey = partitionKey,
            RequestId = request.RequestId,
            Meaning = approve ? SignatureMeaning.Approve : SignatureMeaning.Reject,
            Reason = reason,
        };
        var result = await Orchestrator.SignApprovalAsync(answer, TestIdentity.For(signer ?? Plants.SignerFor(request.Role), Time), cancellationToken);
        if (result.Succeeded)
        {
            Interlocked.Increment(ref _published);
            Interlocked.Increment(ref _accepted);
        }

        return result;
    }

    /// <summary>The scripted supervisor: signs every approval the sample's partitions wait for, and waits until they are handled.</summary>
    /// <param name="reason">The reason written into each signature.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>How many approvals were signed.</returns>
    public async Task<int> ApproveAllPendingAsync(string reason, CancellationToken cancellationToken)
    {
        var signed = 0;
        foreach (var partition in Partitions)
        {
            foreach (var pending in await Orchestrator.GetPendingApprovalsAsync(partition, cancellationToken))
            {
                await SignAsync(pending, partition, approve: true, reason, cancellationToken);
                signed++;
            }
        }

        await Orchestrator.WaitForIdleAsync(cancellationToken);
        return signed;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            await Orchestrator.StopAsync(timeout.Token);
        }

        Meters.Dispose();
        await _provider.DisposeAsync();

        Plant.Dispose();
    }
}

/// <summary>Adds the shipped scenario workflows to a composition in one readable line each.</summary>
public static class ScenarioBuilderExtensions
{
    /// <summary>Registers a shipped workflow built over the composed <see cref="ScenarioServices"/>.</summary>
    /// <param name="builder">The composition.</param>
    /// <param name="create">The workflow's factory, such as <c>CycleCountWorkflow.Create</c>.</param>
    /// <returns>The composition.</returns>
    public static ManufacturingOrchestrationBuilder AddScenario(this ManufacturingOrchestrationBuilder builder, Func<ScenarioServices, WorkflowDefinition> create)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(create);
        return builder.AddWorkflow(sp => create(sp.GetRequiredService<ScenarioServices>()));
    }
}
