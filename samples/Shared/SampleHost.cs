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
/// <remarks>
/// With a <see cref="SampleCluster"/> it runs several clustered nodes instead (<see cref="Nodes"/>), each composed the
/// same way with a store of its own on the shared database and a node id of its own, all of them talking to the same
/// plant simulators, as the nodes of a real plant talk to its one ERP and one WMS. Each node's store and adapters sit
/// behind the node's <see cref="NodePowerSwitch"/>, so <see cref="KillNode"/> can cut one off as a crash would.
/// </remarks>
public sealed class SampleHost : IAsyncDisposable
{
    private readonly IReadOnlyList<SampleNode> _nodes;
    private readonly SampleCluster? _cluster;
    private readonly ClusterOptions? _clusterOptions;
    private readonly ConcurrentDictionary<string, byte> _partitions = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _notAccepted = new();
    private long _published;
    private long _accepted;
    private long _duplicates;
    private long _rejected;
    private int _effectsShown;
    private int _nextNode = -1;

    private SampleHost(IReadOnlyList<SampleNode> nodes, SampleCluster? cluster, PlantSimulator plant, JsonFileTraceabilityRepository? traceability)
    {
        _nodes = nodes;
        _cluster = cluster;
        _clusterOptions = cluster is null ? null : new ClusterOptions { BucketCount = cluster.BucketCount };
        Plant = plant;
        Traceability = traceability;
        Meters = nodes.Count == 1 ? nodes[0].Meters : new OrchestratorMeters([.. nodes.Select(n => n.Orchestrator.Telemetry)]);
        Time = nodes[0].Orchestrator.TimeProvider;
    }

    /// <summary>The simulated ERP, MES, QMS, WMS, procurement and notification systems.</summary>
    public PlantSimulator Plant { get; }

    /// <summary>
    /// The orchestrator; with several nodes, the first node that still has power (any node reads the shared store, and
    /// the reads and the reconciliation the samples make through it need no particular node).
    /// </summary>
    public Orchestrator Orchestrator => (_nodes.FirstOrDefault(n => n.IsAlive) ?? _nodes[0]).Orchestrator;

    /// <summary>The orchestrator nodes: one, or the nodes of a <see cref="SampleCluster"/> (<c>node-1</c>, <c>node-2</c>…).</summary>
    public IReadOnlyList<SampleNode> Nodes => _nodes;

    /// <summary>Whether the host runs several clustered nodes.</summary>
    public bool IsClustered => _cluster is not null;

    /// <summary>The cluster's settings, when <see cref="IsClustered"/>.</summary>
    public SampleCluster? Cluster => _cluster;

    /// <summary>The traceability repository genealogy is published to (JSON files), when the sample has one.</summary>
    public JsonFileTraceabilityRepository? Traceability { get; }

    /// <summary>What the orchestrator measured; with several nodes, what they measured together (each node's own: <see cref="SampleNode.Meters"/>).</summary>
    public OrchestratorMeters Meters { get; }

    /// <summary>Events accepted but not yet handled, on the nodes that still have power.</summary>
    public long Backlog => _nodes.Where(n => n.IsAlive).Sum(n => n.Orchestrator.Backlog);

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
    /// <param name="cluster">Several clustered nodes on one shared store instead of one orchestrator; <see langword="null"/> for one.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running host.</returns>
    public static async Task<SampleHost> StartAsync(
        int seed,
        Action<ManufacturingOrchestrationBuilder> compose,
        Func<ScenarioServices, ScenarioServices>? scenario = null,
        Action<OrchestratorOptions>? configure = null,
        string? traceabilityDirectory = null,
        SampleCluster? cluster = null,
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

        if (cluster is not null)
        {
            return await StartClusterAsync(seed, compose, scenario, configure, cluster, plant, adapters, traceability, cancellationToken);
        }

        var provider = Compose(seed, compose, scenario, configure, adapters, node: null);
        var host = new SampleHost([new SampleNode("sample", provider, power: null, ownStore: null)], cluster: null, plant, traceability);
        await host.Orchestrator.StartAsync(cancellationToken);
        return host;
    }

    private static async Task<SampleHost> StartClusterAsync(
        int seed,
        Action<ManufacturingOrchestrationBuilder> compose,
        Func<ScenarioServices, ScenarioServices>? scenario,
        Action<OrchestratorOptions>? configure,
        SampleCluster cluster,
        PlantSimulator plant,
        AdapterSet adapters,
        JsonFileTraceabilityRepository? traceability,
        CancellationToken cancellationToken)
    {
        if (cluster.Nodes < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(cluster), cluster.Nodes, "A sample cluster has at least two nodes.");
        }

        var nodes = new List<SampleNode>();
        try
        {
            for (var i = 1; i <= cluster.Nodes; i++)
            {
                var id = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"node-{i}");
                var power = new NodePowerSwitch(id);
                var own = await cluster.OpenStoreAsync(id, cancellationToken);
                var provider = Compose(seed, compose, scenario, configure, PoweredAdapter.For(adapters, power), (id, PoweredStore.Wrap(own, power), cluster));
                nodes.Add(new SampleNode(id, provider, power, own));
            }
        }
        catch
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }

            plant.Dispose();
            throw;
        }

        var host = new SampleHost(nodes, cluster, plant, traceability);
        try
        {
            foreach (var node in nodes)
            {
                await node.Orchestrator.StartAsync(cancellationToken);
            }

            // Every bucket owned, and every node holding its share, before the first event: the shift starts on a
            // cluster that has settled, so a node killed later holds buckets to take over.
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(cluster.LeaseDuration * 3 + TimeSpan.FromSeconds(30));
            while (nodes.Any(n => n.Orchestrator.Cluster!.OwnedBuckets.Count == 0) || nodes.Sum(n => n.Orchestrator.Cluster!.OwnedBuckets.Count) < cluster.BucketCount)
            {
                await Task.Delay(50, limit.Token);
            }
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }

        return host;
    }

    private static ServiceProvider Compose(
        int seed,
        Action<ManufacturingOrchestrationBuilder> compose,
        Func<ScenarioServices, ScenarioServices>? scenario,
        Action<OrchestratorOptions>? configure,
        AdapterSet adapters,
        (string Id, IOrchestrationStore Store, SampleCluster Cluster)? node)
    {
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
            if (node is { } clustered)
            {
                builder.UseStore(clustered.Store).UseClustering(c =>
                {
                    c.LeaseDuration = clustered.Cluster.LeaseDuration;
                    c.BucketCount = clustered.Cluster.BucketCount;
                    c.PollInterval = clustered.Cluster.PollInterval;
                });
            }

            builder.Configure(options =>
            {
                options.Settings.Parallelism = 2;
                options.Settings.JitterSeed = seed;
                options.Settings.NodeId = node?.Id ?? "sample";
                // Demo-sized durable retries: a transient failure is retried within a second, not within minutes.
                options.Settings.Retry = new RetryPolicy { InitialDelay = TimeSpan.FromMilliseconds(25), MaxDelay = TimeSpan.FromMilliseconds(400), MaxAttempts = 8 };
                configure?.Invoke(options);
            });
        });
        return services.BuildServiceProvider();
    }

    /// <summary>
    /// Publishes an event and remembers its partition. With several nodes the events go to the nodes that have power in
    /// turn (any node accepts any event), as a load balancer spreads them; a node that fails to answer (its power went,
    /// or the database ended its transaction) gets the event again through the next node, and a <c>Duplicate</c> answer
    /// to such a second try means the first one was accepted after all.
    /// </summary>
    /// <param name="envelope">The event.</param>
    /// <param name="cancellationToken">Cancels the publication.</param>
    /// <returns>The result (accepted, duplicate or rejected).</returns>
    public async Task<PublishResult> PublishAsync(EventEnvelope envelope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        _partitions.TryAdd(envelope.EffectivePartitionKey, 0);
        Interlocked.Increment(ref _published);
        var (result, node, acceptedBefore) = IsClustered ? await PublishToClusterAsync(envelope, cancellationToken) : (await Orchestrator.PublishAsync(envelope, cancellationToken), _nodes[0], false);
        if (result.Status == PublishStatus.Accepted || acceptedBefore)
        {
            node.CountAccepted();
        }

        switch (acceptedBefore ? PublishStatus.Accepted : result.Status)
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

    private async Task<(PublishResult Result, SampleNode Node, bool AcceptedBefore)> PublishToClusterAsync(EventEnvelope envelope, CancellationToken cancellationToken)
    {
        const int Attempts = 5;
        for (var attempt = 1; ; attempt++)
        {
            var node = NextLiveNode();
            try
            {
                var result = await node.Orchestrator.PublishAsync(envelope, cancellationToken);
                return (result, node, attempt > 1 && result.Status == PublishStatus.Duplicate);
            }
            catch (Exception e) when (attempt < Attempts && e is not OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt), cancellationToken);
            }
        }
    }

    private SampleNode NextLiveNode()
    {
        for (var i = 0; i < _nodes.Count; i++)
        {
            var node = _nodes[(int)((uint)Interlocked.Increment(ref _nextNode) % (uint)_nodes.Count)];
            if (node.IsAlive)
            {
                return node;
            }
        }

        throw new InvalidOperationException("No node of the cluster has power.");
    }

    /// <summary>
    /// The node an operator action or a signature on <paramref name="partitionKey"/> goes to: the one node, or the node
    /// with power that owns the partition's bucket (others refuse such actions with <c>store.lease-lost</c>), as sticky
    /// routing in front of an operator console would choose it; any node with power while the bucket has no owner.
    /// </summary>
    /// <param name="partitionKey">The partition.</param>
    /// <returns>The node's orchestrator.</returns>
    public Orchestrator OrchestratorFor(string partitionKey)
    {
        ArgumentNullException.ThrowIfNull(partitionKey);
        if (_clusterOptions is null)
        {
            return Orchestrator;
        }

        var bucket = _clusterOptions.BucketOf(partitionKey);
        return (_nodes.FirstOrDefault(n => n.IsAlive && n.Orchestrator.Cluster!.OwnedBuckets.Contains(bucket)) ?? NextLiveNode()).Orchestrator;
    }

    /// <summary>
    /// Carries out an operator action on a dead letter through <see cref="OrchestratorFor"/> its partition. A node that
    /// loses its power during the call answers with a refusal (<c>store.lease-lost</c>), so the operator tries again.
    /// </summary>
    /// <param name="request">The request.</param>
    /// <param name="partitionKey">The dead letter's partition.</param>
    /// <param name="operator">Who acts.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>Whether it was done, or why it was refused.</returns>
    public async Task<OperatorActionResult> ActAsync(OperatorRequest request, string partitionKey, AuthenticatedIdentity @operator, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(@operator);
        try
        {
            return await OrchestratorFor(partitionKey).ActAsync(request, @operator, cancellationToken);
        }
        catch (Exception e) when (IsClustered && e is not OperationCanceledException)
        {
            return OperatorActionResult.Refused(ReasonCodes.LeaseLost, $"The node did not answer: {e.Message}");
        }
    }

    /// <summary>Cuts the power of a node: from now on it reaches neither its database nor the plant systems, as if its process were killed.</summary>
    /// <param name="index">The node's index in <see cref="Nodes"/>.</param>
    /// <returns>The node.</returns>
    /// <exception cref="InvalidOperationException">The host runs one node, or this is the last node with power.</exception>
    public SampleNode KillNode(int index)
    {
        if (!IsClustered)
        {
            throw new InvalidOperationException("Only a node of a cluster can be killed: the others take its work over.");
        }

        var node = _nodes[index];
        if (_nodes.Count(n => n.IsAlive && !ReferenceEquals(n, node)) == 0)
        {
            throw new InvalidOperationException("The last node with power cannot be killed: nobody would take its work over.");
        }

        node.Power!.TurnOff();
        return node;
    }

    /// <summary>Waits until every node with power is idle (with one node: <see cref="Orchestrator.WaitForIdleAsync"/>).</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when they are idle.</returns>
    public async Task WaitForIdleAsync(CancellationToken cancellationToken)
    {
        foreach (var node in _nodes.Where(n => n.IsAlive))
        {
            await node.Orchestrator.WaitForIdleAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Whether the run has nothing left to do: no backlog; with several nodes also no pending event and no pending
    /// command in the shared store (a node's idleness speaks for that node only, and the buckets of a killed node wait
    /// for their takeover), and every bucket owned by a node with power.
    /// </summary>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns><see langword="true"/> when settled.</returns>
    public async Task<bool> IsSettledAsync(CancellationToken cancellationToken)
    {
        if (Backlog != 0)
        {
            return false;
        }

        if (!IsClustered)
        {
            return true;
        }

        var live = _nodes.Where(n => n.IsAlive).ToArray();
        if (live.SelectMany(n => n.Orchestrator.Cluster!.OwnedBuckets).Distinct().Count() < _cluster!.BucketCount)
        {
            return false;
        }

        var store = live[0].Orchestrator.Store;
        return (await store.ReadPendingEventsAsync(null, 0, 1, cancellationToken)).Count == 0
            && (await store.ReadPartitionsWithPendingCommandsAsync(cancellationToken)).Count == 0
            && Backlog == 0;
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
    public Task<SampleReport> ReportAsync(string sample, IReadOnlyList<string> signatures, IReadOnlyDictionary<string, decimal> facts, CancellationToken cancellationToken) =>
        ReportAsync(sample, signatures, facts, [], cancellationToken);

    /// <summary>Checks the run: audit chain, effects and dead letters, and builds the report with the sample's own failed checks.</summary>
    /// <param name="sample">The sample's name.</param>
    /// <param name="signatures">The signature trail lines.</param>
    /// <param name="facts">The scenario facts checked.</param>
    /// <param name="failedChecks">The sample's own checks that failed, one sentence each.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The report.</returns>
    public async Task<SampleReport> ReportAsync(string sample, IReadOnlyList<string> signatures, IReadOnlyDictionary<string, decimal> facts, IReadOnlyList<string> failedChecks, CancellationToken cancellationToken)
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
            FailedChecks = failedChecks,
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
        OperatorActionResult result;
        try
        {
            result = await OrchestratorFor(partitionKey).SignApprovalAsync(answer, TestIdentity.For(signer ?? Plants.SignerFor(request.Role), Time), cancellationToken);
        }
        catch (Exception e) when (IsClustered && e is not OperationCanceledException)
        {
            // The node lost its power during the call: as a console whose server went away, the supervisor signs again.
            return OperatorActionResult.Refused(ReasonCodes.LeaseLost, $"The node did not answer: {e.Message}");
        }

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
        // The nodes with power stop gracefully; a killed node is only taken down (it can reach nothing any more).
        foreach (var node in _nodes.Where(n => n.IsAlive))
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await node.Orchestrator.StopAsync(timeout.Token);
        }

        if (_nodes.Count > 1)
        {
            Meters.Dispose();
        }

        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }

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
