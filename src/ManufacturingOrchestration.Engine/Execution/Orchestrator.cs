using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Approvals;
using ManufacturingOrchestration.Engine.Audit;
using ManufacturingOrchestration.Engine.Operations;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Engine.Telemetry;
using ManufacturingOrchestration.Engine.Workflows;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Model.Validation;
using Microsoft.Extensions.Logging;

namespace ManufacturingOrchestration.Engine.Execution;

/// <summary>
/// The orchestrator: accepts plant events, de-duplicates them, and turns each into ordered, exactly-once-in-effect,
/// audited actions across the connected systems.
/// </summary>
/// <remarks>
/// <para>Events are partitioned by business key (the envelope's partition key, else the payload's lot or order):
/// strictly in acceptance order per key, in parallel across keys on <see cref="OrchestratorSettings.Parallelism"/>
/// workers. Each step commits new state, planned commands and audit in one store transaction before any command runs.</para>
/// <para>Nothing a caller passes in can crash it: bad events are rejected with structured errors and recorded,
/// failing adapters are retried or dead-lettered, and a failing step parks only its own key.</para>
/// </remarks>
public sealed partial class Orchestrator : IAsyncDisposable
{
    // How far the clock may move while the timer loop arms its wake-up and the wake-up still be waited on: the wall
    // clock moves by the microseconds arming takes (the wake-up is that late, harmlessly); a fake clock moves only when
    // advanced, and an advance caught in the arming is seen at once instead of leaving the wake-up late by the advance.
    internal static readonly TimeSpan WakeUpSlack = TimeSpan.FromMilliseconds(1);

    /// <summary>The longest delay <see cref="Task.Delay(TimeSpan, TimeProvider, CancellationToken)"/> accepts, whatever the clock.</summary>
    private static readonly TimeSpan LongestWait = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    private readonly OrchestratorRuntime _runtime;
    private readonly OrchestrationTelemetry _telemetry;
    private readonly bool _ownsTelemetry;
    private readonly SemaphoreSlim _intake = new(1, 1);
    private readonly ClusteredAuditCheckpoints? _clusterCheckpoints;
    private readonly NodeAuditCheckpoints? _nodeCheckpoints;
    private CancellationTokenSource? _stopping;
    private Task? _timerLoop;
    private Task? _checkpointLoop;
    private Task? _auditSinkLoops;
    private Task? _clusterLoops;
    private List<Task>? _singletonLoops;
    private int _state; // 0 created, 4 starting, 1 running, 2 stopping, 3 stopped
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously); // set when a stop has finished
    private readonly TaskCompletionSource _startEnded = new(TaskCreationOptions.RunContinuationsAsynchronously); // set when a start has finished, running or not
    private int _checkpointFailures; // periodic checkpoints failed in a row

    /// <summary>Creates an orchestrator; call <see cref="StartAsync"/> before publishing.</summary>
    /// <param name="options">The composition; validated here.</param>
    /// <param name="telemetry">The telemetry to report to; one is created when <see langword="null"/>.</param>
    public Orchestrator(OrchestratorOptions options, OrchestrationTelemetry? telemetry = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _ownsTelemetry = telemetry is null;
        _telemetry = telemetry ?? new OrchestrationTelemetry(options.TimeProvider);
        _runtime = new OrchestratorRuntime(options, _telemetry);
        Workflows = _runtime.Workflows;
        if (_runtime.Cluster is null)
        {
            _nodeCheckpoints = new NodeAuditCheckpoints(_runtime, options.AuditCheckpointSigner);
        }
        else
        {
            _clusterCheckpoints = new ClusteredAuditCheckpoints(_runtime, options.AuditCheckpointSigner);
        }
        Audit = new AuditVerifier(options.Store, new AuditVerifierOptions
        {
            CheckpointSigner = options.AuditCheckpointSigner,
            TimeProvider = options.TimeProvider,
            CheckpointGrace = options.Settings.CheckpointInterval * 2,
        });
    }

    /// <summary>The registered workflows.</summary>
    public WorkflowRegistry Workflows { get; }

    /// <summary>Verifies the audit trail.</summary>
    public AuditVerifier Audit { get; }

    /// <summary>The store.</summary>
    public IOrchestrationStore Store => _runtime.Store;

    /// <summary>The telemetry instruments.</summary>
    public OrchestrationTelemetry Telemetry => _telemetry;

    /// <summary>Whether the orchestrator is running.</summary>
    public bool IsRunning => Volatile.Read(ref _state) == 1;

    /// <summary>Work items queued or being handled right now (a backlog indicator).</summary>
    public long Backlog => _runtime.InFlight;

    /// <summary>Dead letters opened since start and not yet resolved through this orchestrator.</summary>
    public long OpenDeadLetters => Interlocked.Read(ref _runtime.OpenDeadLetters);

    /// <summary>The clock the orchestrator reads (<see cref="OrchestratorOptions.TimeProvider"/>).</summary>
    public TimeProvider TimeProvider => _runtime.Time;

    /// <summary>The adapters of the connected systems (<see cref="OrchestratorOptions.Adapters"/>).</summary>
    public AdapterSet Adapters => _runtime.Options.Adapters;

    internal OrchestratorRuntime Runtime => _runtime;

    /// <summary>
    /// How many periodic audit checkpoints in a row have failed (each is logged, event 1005); 0 again once one succeeds
    /// or none is due. While it is above 0 the records audited since the latest checkpoint are held by none, so truncating
    /// them goes undetected: the hosting health check reports the orchestrator degraded.
    /// </summary>
    public int ConsecutiveAuditCheckpointFailures => Volatile.Read(ref _checkpointFailures);

    /// <summary>
    /// What this node holds of the cluster (<see cref="OrchestratorSettings.Cluster"/>), read now; <see langword="null"/>
    /// when the node has its store to itself.
    /// </summary>
    public ClusterStatus? Cluster => _runtime.Cluster is { } cluster
        ? new ClusterStatus(cluster.NodeId, cluster.OwnedBuckets, cluster.HoldsSingleton, cluster.LeaseLosses)
        : null;

    /// <summary>
    /// Starts the workers and recovers what a previous run left: pending commands are executed again (with the same
    /// idempotency keys), pending events are processed in order, due timers fire. An orchestrator starts once: a start
    /// that fails (the store refusing, or <paramref name="cancellationToken"/>) throws after stopping whatever it had
    /// started and giving back the leases it had taken, and leaves the orchestrator stopped; what was pending stays in
    /// the store for a new orchestrator to recover.
    /// </summary>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>A task that completes when the orchestrator runs.</returns>
    /// <exception cref="InvalidOperationException">The orchestrator was already started (whether that start succeeded or not).</exception>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.CompareExchange(ref _state, 4, 0) != 0)
        {
            throw new InvalidOperationException("The orchestrator was already started: an orchestrator starts once (after a failed start, create a new one).");
        }

        _stopping = new CancellationTokenSource();
        foreach (var worker in _runtime.Workers)
        {
            worker.Start(_stopping.Token);
        }

        try
        {
            if (_runtime.Cluster is { } cluster)
            {
                await StartClusteredAsync(cluster, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await StartNodeAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            // Left half-started, the workers (and a singleton's audit deliveries) would run on with nothing able to
            // stop them, and the leases taken would keep the other nodes off this node's buckets until they expire.
            await AbandonStartAsync().ConfigureAwait(false);
            throw;
        }
        finally
        {
            _startEnded.TrySetResult();
        }
    }

    private async Task StartNodeAsync(CancellationToken cancellationToken)
    {
        var stopping = _stopping!.Token;

        // Before anything is routed: the heads a crash left out of every checkpoint are read back first.
        await _nodeCheckpoints!.StartAsync(cancellationToken).ConfigureAwait(false);

        foreach (var key in await _runtime.Store.ReadPartitionsWithPendingCommandsAsync(cancellationToken).ConfigureAwait(false))
        {
            _runtime.Route(new ResumeWork(key));
        }

        long after = 0;
        while (true)
        {
            var pending = await _runtime.Store.ReadPendingEventsAsync(null, after, 10_000, cancellationToken).ConfigureAwait(false);
            if (pending.Count == 0)
            {
                break;
            }

            _runtime.Scan(pending);
            after = pending[^1].Position;
        }

        // A key new to this store: sign a checkpoint now.
        await _nodeCheckpoints.SignIfUnsignedAsync(cancellationToken).ConfigureAwait(false);

        _timerLoop = Task.Run(() => TimerLoopAsync(stopping), CancellationToken.None);
        _checkpointLoop = Task.Run(() => CheckpointLoopAsync(stopping), CancellationToken.None);
        _auditSinkLoops = _runtime.AuditSinks?.Start(stopping) ?? Task.CompletedTask;

        // Publishing opens only now, after recovery routed what was pending, so nothing new overtakes it.
        Volatile.Write(ref _state, 1);
    }

    /// <summary>
    /// Undoes a start that failed: stops what it started (workers, loops, a singleton's audit deliveries) and, clustered,
    /// gives back the leases its first round took. Work routed already stays pending in the store.
    /// </summary>
    private async Task AbandonStartAsync()
    {
        try
        {
            await _stopping!.CancelAsync().ConfigureAwait(false);
            foreach (var worker in _runtime.Workers)
            {
                worker.Complete();
            }

            List<Task> singletonLoops;
            lock (_intake)
            {
                singletonLoops = [.. _singletonLoops ?? []];
            }

            var loops = _runtime.Workers.Select(w => w.Loop).Append(_timerLoop).Append(_checkpointLoop).Append(_auditSinkLoops).Append(_clusterLoops).OfType<Task>();
            await Task.WhenAll(loops.Concat(singletonLoops)).ConfigureAwait(false);
            if (_runtime.Cluster is { } cluster)
            {
                await cluster.ReleaseAllAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
#pragma warning disable CA1031 // The caller gets the start's own failure; what stopping it on top of that failed is logged.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.StartAbandonFailed(_runtime.Logger, ex);
        }
        finally
        {
            Volatile.Write(ref _state, 3);
        }
    }

    /// <summary>
    /// Stops gracefully: refuses new events, drains in-flight work until <paramref name="cancellationToken"/> fires,
    /// then stops the workers, the timers and the audit sinks' deliveries and takes an audit checkpoint (in a cluster, the
    /// singleton holder's, and then gives the node's leases back). Whatever was not finished stays durable in the store:
    /// audit records not yet delivered go to their sinks after the next start. A checkpoint the store fails to take is
    /// logged (event 1006) and the stop completes without it. A stop called while a start or another stop is under way
    /// waits for it first (until <paramref name="cancellationToken"/>), and so does <see cref="DisposeAsync"/>.
    /// </summary>
    /// <param name="cancellationToken">Ends the drain (the shutdown timeout).</param>
    /// <returns>A task that completes when stopped.</returns>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Volatile.Read(ref _state) == 4)
        {
            // A start under way finishes first (running, or stopped when it failed): then this stops what it started.
            await _startEnded.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        if (Interlocked.CompareExchange(ref _state, 2, 1) != 1)
        {
            // A stop already under way (another caller's, such as a host's before it disposes): this one waits for it.
            if (Volatile.Read(ref _state) == 2)
            {
                await _stopped.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        try
        {
            await StopRunningAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _stopped.TrySetResult();
        }
    }

    private async Task StopRunningAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _runtime.IdleTask.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The drain timed out: the rest stays in the store.
        }

        await _stopping!.CancelAsync().ConfigureAwait(false);
        foreach (var worker in _runtime.Workers)
        {
            worker.Complete();
        }

        var loops = _runtime.Workers.Select(w => w.Loop).OfType<Task>().Append(_timerLoop!).Append(_checkpointLoop!).Append(_auditSinkLoops!);
        if (_runtime.Cluster is { } cluster)
        {
            await Task.WhenAll(loops.Append(_clusterLoops!)).ConfigureAwait(false);
            List<Task> singletonLoops;
            lock (_intake)
            {
                singletonLoops = [.. _singletonLoops ?? []];
            }

            await Task.WhenAll(singletonLoops).ConfigureAwait(false);
            if (cluster.HoldsSingleton)
            {
                try
                {
                    await _clusterCheckpoints!.TakeAsync(onlyIfAudited: true, CancellationToken.None).ConfigureAwait(false);
                }
                catch (AuditCheckpointConflictException)
                {
                    // The singleton moved while this node was paused: the new holder checkpoints, this one stops quietly.
                }
#pragma warning disable CA1031 // The stop goes on: the leases are given back, and the next holder checkpoints from the saved feed position.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    Log.ShutdownCheckpointFailed(_runtime.Logger, ex);
                }
            }

            // Given back at once, so the other nodes take this node's buckets without waiting for the leases to expire.
            await cluster.ReleaseAllAsync(CancellationToken.None).ConfigureAwait(false);
            Volatile.Write(ref _state, 3);
            return;
        }

        await Task.WhenAll(loops).ConfigureAwait(false);
        try
        {
            await _nodeCheckpoints!.TakeAsync(onlyIfAudited: true, CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The stop completes: everything committed stays in the store, and the next start reads back what no checkpoint holds.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.ShutdownCheckpointFailed(_runtime.Logger, ex);
        }

        Volatile.Write(ref _state, 3);
    }

    /// <summary>Publishes one event: validates it, de-duplicates it and accepts it durably, or rejects it with every problem found.</summary>
    /// <param name="envelope">The event.</param>
    /// <param name="cancellationToken">Cancels the wait for queue capacity (back-pressure).</param>
    /// <returns>Accepted, duplicate or rejected.</returns>
    public async ValueTask<PublishResult> PublishAsync(EventEnvelope envelope, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        var results = await PublishBatchAsync([envelope], cancellationToken).ConfigureAwait(false);
        return results[0];
    }

    /// <summary>Publishes events in one store round trip; each gets its own result, in order.</summary>
    /// <param name="envelopes">The events.</param>
    /// <param name="cancellationToken">Cancels the wait for queue capacity (back-pressure).</param>
    /// <returns>One result per event.</returns>
    public ValueTask<IReadOnlyList<PublishResult>> PublishBatchAsync(IReadOnlyList<EventEnvelope> envelopes, CancellationToken cancellationToken = default) =>
        PublishCoreAsync(envelopes, "api", signatureChannel: false, cancellationToken);

    /// <summary>Publishes events that came through <paramref name="channel"/> (such as <c>file:counts.jsonl</c>): an event
    /// refused by validation or authentication is recorded with that channel, so the rejection names where it came from.</summary>
    internal ValueTask<IReadOnlyList<PublishResult>> PublishBatchAsync(IReadOnlyList<EventEnvelope> envelopes, string channel, CancellationToken cancellationToken) =>
        PublishCoreAsync(envelopes, channel, signatureChannel: false, cancellationToken);

    /// <summary>
    /// Publishes events; only the orchestrator's own signature channel (<paramref name="signatureChannel"/>) may carry
    /// approval answers — every other path refuses them as unauthenticated. A refused event is recorded with <paramref name="channel"/>.
    /// </summary>
    private async ValueTask<IReadOnlyList<PublishResult>> PublishCoreAsync(IReadOnlyList<EventEnvelope> envelopes, string channel, bool signatureChannel, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envelopes);
        Intake.IntakeChannel.ThrowIfInvalid(channel);
        EnsureRunning();
        var capacity = _runtime.Capacity;
        if (envelopes.Count > capacity)
        {
            // A batch larger than the whole queue could never get all its slots: publish it in slices that can.
            var all = new List<PublishResult>(envelopes.Count);
            for (var start = 0; start < envelopes.Count; start += capacity)
            {
                all.AddRange(await PublishCoreAsync(envelopes.Skip(start).Take(capacity).ToArray(), channel, signatureChannel, cancellationToken).ConfigureAwait(false));
            }

            return all;
        }

        var results = new PublishResult[envelopes.Count];
        var spans = _telemetry.IsTracing ? new List<System.Diagnostics.Activity?>(envelopes.Count) : null;
        var candidates = new List<InboxEvent>(envelopes.Count);
        var candidateIndex = new List<int>(envelopes.Count);
        var now = _runtime.Time.GetUtcNow();
        for (var i = 0; i < envelopes.Count; i++)
        {
            var envelope = envelopes[i];
            var errors = envelope is null
                ? [new ValidationError("$", ReasonCodes.Required, "The event is missing.")]
                : _runtime.Options.Validator.Validate(envelope);
            if (errors.Count == 0 && !signatureChannel && Authority.RefuseAtIntake(envelope!) is { } unauthenticated)
            {
                errors = [unauthenticated];
            }

            if (errors.Count > 0)
            {
                results[i] = await RejectAsync(envelope, errors, channel, null, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (spans is not null)
            {
                var activity = _telemetry.StartPublish(envelope!);
                spans.Add(activity);
                if (activity is not null)
                {
                    // Processing joins the trace of the publication: an event without a traceparent carries the publish span's.
                    envelope = envelope!.TraceParent is null ? envelope with { TraceParent = activity.Id } : envelope;
                    System.Diagnostics.Activity.Current = activity.Parent;
                }
            }

            candidates.Add(new InboxEvent { Key = new EventKey(envelope!.Source, envelope.Id), PartitionKey = envelope.EffectivePartitionKey, AcceptedAt = now, Envelope = envelope });
            candidateIndex.Add(i);
        }

        try
        {
            return await AcceptAsync(candidates, candidateIndex, results, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (spans is not null)
        {
            foreach (var span in spans)
            {
                OrchestrationTelemetry.End(span, "failed", $"{ex.GetType().Name}: {ex.Message}");
            }

            spans = null;
            throw;
        }
        finally
        {
            if (spans is not null)
            {
                for (var i = 0; i < spans.Count; i++)
                {
                    OrchestrationTelemetry.End(spans[i], results[candidateIndex[i]].Status.ToString().ToLowerInvariant());
                }
            }
        }
    }

    private async Task<IReadOnlyList<PublishResult>> AcceptAsync(List<InboxEvent> candidates, List<int> candidateIndex, PublishResult[] results, CancellationToken cancellationToken)
    {
        if (candidates.Count == 0)
        {
            return results;
        }

        await _runtime.AcquireCapacityAsync(candidates.Count, cancellationToken).ConfigureAwait(false);

        var accepted = new bool[candidates.Count];
        IReadOnlyList<InboxEvent> stored;

        // Accepting and routing happen under one intake lock, so the events of a key reach its worker in inbox
        // position order even when several publishers race: a worker never sees a later event of a key first.
        try
        {
            await _intake.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // Cancelled while another publisher held the intake: the slots taken for nothing go back.
            ReleaseCapacity(candidates.Count);
            throw;
        }

        try
        {
            try
            {
                stored = await _runtime.Store.AcceptAsync(candidates, accepted, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                ReleaseCapacity(candidates.Count);
                throw;
            }

            RouteAccepted(candidates, candidateIndex, accepted, stored, results);
        }
        finally
        {
            _intake.Release();
        }

        return results;
    }

    private void ReleaseCapacity(int count)
    {
        for (var i = 0; i < count; i++)
        {
            _runtime.ReleaseCapacity();
        }
    }

    private void RouteAccepted(List<InboxEvent> candidates, List<int> candidateIndex, bool[] accepted, IReadOnlyList<InboxEvent> stored, PublishResult[] results)
    {

        var next = 0;
        for (var i = 0; i < candidates.Count; i++)
        {
            var envelope = candidates[i].Envelope;
            if (accepted[i])
            {
                var inboxEvent = stored[next++];
                _telemetry.Accepted(envelope);
                if (_runtime.Cluster is { } cluster)
                {
                    // Clustered, other nodes accept events of the same key: the key's worker reads them from the store in
                    // inbox order instead of taking this one first. A key of a bucket another node owns is its to do.
                    _runtime.ReleaseCapacity();
                    if (cluster.Owns(inboxEvent.PartitionKey))
                    {
                        cluster.Routed(inboxEvent.PartitionKey, inboxEvent.Position);
                    }

                    _runtime.Route(new ScanWork(inboxEvent.PartitionKey));
                }
                else
                {
                    _runtime.Route(new EventWork(inboxEvent) { HoldsCapacity = true });
                }

                results[candidateIndex[i]] = PublishResult.Accepted(inboxEvent.Key, inboxEvent.Position);
            }
            else
            {
                _runtime.ReleaseCapacity();
                _telemetry.Duplicate(envelope);
                results[candidateIndex[i]] = PublishResult.Duplicate(candidates[i].Key);
            }
        }
    }

    /// <summary>Records an event refused before it could be read (e.g. malformed JSON from a file or a webhook), so nothing is silently dropped.</summary>
    /// <param name="channel">Where it came from.</param>
    /// <param name="errors">Every problem found; at least one.</param>
    /// <param name="excerpt">The start of the raw payload; only its first <see cref="Intake.EventIntake.ExcerptLength"/> characters are kept.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The rejected result.</returns>
    /// <exception cref="ArgumentException">The channel is blank, longer than <see cref="Identifier.MaxKeyLength"/> characters or
    /// has a character an identifier may not hold (such as a control character), or <paramref name="errors"/> is empty.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The overloads differ in the source and event id before the token, so a call is never ambiguous.")]
    public ValueTask<PublishResult> RecordRejectionAsync(string channel, IReadOnlyList<ValidationError> errors, string? excerpt, CancellationToken cancellationToken = default) =>
        RecordRejectionAsync(channel, errors, excerpt, null, null, cancellationToken);

    /// <summary>Records input refused before it became an event under the source and event id its sender gave it, so an
    /// operator finds the rejection by them (such as a CSV row with its own <c>event_id</c> that cannot be mapped).</summary>
    /// <param name="channel">Where it came from.</param>
    /// <param name="errors">Every problem found; at least one.</param>
    /// <param name="excerpt">The start of the raw payload; only its first <see cref="Intake.EventIntake.ExcerptLength"/> characters are kept.</param>
    /// <param name="source">The event source the sender gave, or <see langword="null"/> when unknown.</param>
    /// <param name="eventId">The event id the sender gave, or <see langword="null"/> when unknown.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The rejected result (without an event key: the input never became an event).</returns>
    /// <remarks>The source and the event id are refused input, recorded as such and never a reason to lose the rejection:
    /// blank ones are recorded as none; others are recorded printable (<see cref="FreeText.Escape"/>) and at most
    /// <see cref="Identifier.MaxKeyLength"/> characters (a longer one is cut and ends with <c>…</c>), so a valid id is
    /// recorded exactly as given.</remarks>
    /// <exception cref="ArgumentException">The channel is blank, longer than <see cref="Identifier.MaxKeyLength"/> characters or
    /// has a character an identifier may not hold (such as a control character), or <paramref name="errors"/> is empty.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The overloads differ in the source and event id before the token, so a call is never ambiguous.")]
    public ValueTask<PublishResult> RecordRejectionAsync(string channel, IReadOnlyList<ValidationError> errors, string? excerpt, string? source, string? eventId, CancellationToken cancellationToken = default)
    {
        Intake.IntakeChannel.ThrowIfInvalid(channel);
        ArgumentNullException.ThrowIfNull(errors);
        if (errors.Count == 0)
        {
            throw new ArgumentException("A rejection needs at least one error.", nameof(errors));
        }

        return RejectAsync(null, errors, channel, excerpt, Intake.EventIntake.RefusedKey(source), Intake.EventIntake.RefusedKey(eventId), cancellationToken);
    }

    /// <summary>
    /// Waits until no work is queued or running (timers that are not yet due do not count). On a clustered node: no work
    /// of this node, and no due timer of a bucket it owns; what the other nodes do is not waited for.
    /// </summary>
    /// <param name="cancellationToken">Ends the wait.</param>
    /// <returns>A task that completes when idle.</returns>
    public async Task WaitForIdleAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            await _runtime.IdleTask.WaitAsync(cancellationToken).ConfigureAwait(false);
            var due = await _runtime.Store.ReadNextTimerDueAsync(cancellationToken).ConfigureAwait(false);
            var now = _runtime.Time.GetUtcNow();
            if (due is null || due > now || (_runtime.Cluster is { } cluster && !await HasOwnedDueTimerAsync(cluster, now, cancellationToken).ConfigureAwait(false)))
            {
                // Re-check: a due timer may have been dispatched while we looked.
                if (_runtime.InFlight == 0)
                {
                    return;
                }

                continue;
            }

            await Task.WhenAny(_runtime.TimerSignal, Task.Delay(TimeSpan.FromMilliseconds(5), TimeProvider.System, cancellationToken)).ConfigureAwait(false);
        }
    }

    private async ValueTask<bool> HasOwnedDueTimerAsync(ClusterCoordinator cluster, DateTimeOffset now, CancellationToken cancellationToken)
    {
        foreach (var timer in await _runtime.Store.ReadDueTimersAsync(now, 512, cancellationToken).ConfigureAwait(false))
        {
            if (cluster.Owns(timer.PartitionKey))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Waits until every registered audit sink (<see cref="OrchestratorOptions.AuditSinks"/>) has been given every audit
    /// record committed before the call, and every record the store held when the orchestrator started, with its cursor
    /// saved past them. Completes at once when no sink is registered. A sink that keeps failing keeps the wait open:
    /// bound it with <paramref name="cancellationToken"/>.
    /// </summary>
    /// <param name="cancellationToken">Ends the wait.</param>
    /// <returns>A task that completes when the sinks have caught up.</returns>
    public Task WaitForAuditSinksAsync(CancellationToken cancellationToken = default)
    {
        EnsureRunning();
        return _runtime.AuditSinks?.WaitForDeliveryAsync(cancellationToken) ?? Task.CompletedTask;
    }

    /// <summary>Carries out an operator action on a dead letter (replay, edited replay, skip, manual resolution, compensation), audited with who and why.</summary>
    /// <param name="request">The request.</param>
    /// <param name="operator">Who acts, as the host authenticated them; must hold the orchestration-operator role at the dead letter's site.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>Whether it was done, or why it was refused.</returns>
    public async Task<OperatorActionResult> ActAsync(OperatorRequest request, AuthenticatedIdentity @operator, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(@operator);
        EnsureRunning();
        if (string.IsNullOrEmpty(request.DeadLetterId))
        {
            // The store reads a query without an id as "any dead letter": an action naming none would resolve the oldest.
            return OperatorActionResult.Refused(ReasonCodes.Required, "An operator action names the dead letter it acts on (OperatorRequest.DeadLetterId).");
        }

        var (actor, code, message) = await Authority.ResolveAsync(_runtime, @operator, signing: false, cancellationToken).ConfigureAwait(false);
        if (actor is null)
        {
            return OperatorActionResult.Refused(code, message);
        }

        IReadOnlyList<DeadLetter> found;
        try
        {
            found = await _runtime.Store.ReadDeadLettersAsync(new DeadLetterQuery { Id = request.DeadLetterId, OnlyOpen = false, MaxCount = 1 }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Answered as when the partition's worker reads it: the store's failure is not the action's, nothing was applied.
            return OperatorActionResult.Refused(ReasonCodes.StoreUnavailable, $"The store was unavailable; nothing of the action was applied, try it again ({ex.Message}).");
        }

        if (found.Count == 0)
        {
            return OperatorActionResult.Refused(ReasonCodes.ReferenceUnknown, $"Dead letter '{request.DeadLetterId}' does not exist.");
        }

        var work = new OperatorWork(found[0].PartitionKey, request, actor);
        _runtime.Route(work);
        return await work.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Signs a waiting approval: the answer becomes an electronic signature bound to the signer the host authenticated
    /// (recorded with the time and method of authentication), in the role the request needs. Refused at once when the
    /// signer authenticated longer ago than <see cref="ApprovalOptions.ReauthenticationWindow"/>, is unknown, lacks the
    /// authority, requested the approval or already signed (the refused attempt is recorded in the partition's audit
    /// trail); otherwise the signature is recorded in the partition's audit trail in order with its events, where the
    /// same checks run again before the waiting workflow resumes. This is the only way to
    /// answer an approval: approval answers arriving as events are refused as unauthenticated. A partition key or request
    /// id that is not a valid key (the identifier rules of intake) is refused with <see cref="ReasonCodes.InvalidIdentifier"/>
    /// before anything is recorded.
    /// </summary>
    /// <param name="answer">What the signer answers, to which request.</param>
    /// <param name="signer">The signer, as the host authenticated them.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>Done when the signature was accepted for the partition, or why it was refused.</returns>
    public async Task<OperatorActionResult> SignApprovalAsync(ApprovalAnswer answer, AuthenticatedIdentity signer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(answer);
        ArgumentNullException.ThrowIfNull(signer);
        EnsureRunning();

        // Checked before the partition's worker records a refused attempt under them: the identifier rules of intake apply.
        if ((RefusedKey(answer.PartitionKey, "partition key") ?? RefusedKey(answer.RequestId, "request id")) is { } refusedKey)
        {
            return refusedKey;
        }

        if (answer.Meaning is not (SignatureMeaning.Approve or SignatureMeaning.Reject))
        {
            return OperatorActionResult.Refused(ReasonCodes.OutOfRange, $"An approval is answered with {SignatureMeaning.Approve} or {SignatureMeaning.Reject}, not {answer.Meaning}.");
        }

        if (!FreeText.IsValid(answer.Reason, out var reasonProblem))
        {
            return OperatorActionResult.Refused(string.IsNullOrWhiteSpace(answer.Reason) ? ReasonCodes.Required : ReasonCodes.InvalidText, $"The reason {reasonProblem}.");
        }

        if (answer.Justification is not null && !FreeText.IsValid(answer.Justification, out var justificationProblem))
        {
            return OperatorActionResult.Refused(ReasonCodes.InvalidText, $"The justification {justificationProblem}.");
        }

        // The signature recorded is the one checked in the partition: built once, with one signing time.
        (PendingApproval Request, ElectronicSignature Signature)? accepted = null;
        var checkedInPartition = await RunPartitionWorkAsync(answer.PartitionKey, (key, ct) => ApprovalAdministration.CheckSignatureAsync(_runtime, key, answer, signer, (p, s) => accepted = (p, s), ct), cancellationToken).ConfigureAwait(false);
        if (accepted is not var (pending, signature))
        {
            return checkedInPartition;
        }

        var now = signature.SignedAt;
        var approved = answer.Meaning == SignatureMeaning.Approve;
        var envelope = new EventEnvelope
        {
            // Deterministic: the same answer sent twice is a duplicate, and a run repeats with the same ids (the keys of the
            // commands the signature causes derive from it).
            Id = Authority.SignatureEventId(pending, signature.Signer, answer.Meaning),
            Source = Authority.SignatureSource,
            Type = approved ? EventTypes.ApprovalGiven : EventTypes.ApprovalRefused,
            Site = pending.Site,
            Time = now,
            Data = approved
                ? new ApprovalGiven { RequestId = pending.RequestId, PartitionKey = answer.PartitionKey, Signature = signature, SignatureRound = pending.SignatureRound }
                : new ApprovalRefused { RequestId = pending.RequestId, PartitionKey = answer.PartitionKey, Signature = signature, SignatureRound = pending.SignatureRound },
        };
        PublishResult result;
        try
        {
            result = (await PublishCoreAsync([envelope], "api", signatureChannel: true, cancellationToken).ConfigureAwait(false))[0];
        }
        catch (Exception ex) when ((ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested) && Volatile.Read(ref _state) == 1)
        {
            // Answered as the other operator actions are: the store's failure is not the signature's, and nothing of it was
            // recorded (the signature is in the inbox or nowhere), so signing again carries it out once. An orchestrator
            // stopped meanwhile says so itself.
            return OperatorActionResult.Refused(ReasonCodes.StoreUnavailable, $"The store was unavailable; nothing of the signature was recorded, try it again ({ex.Message}).");
        }

        return result.Status == PublishStatus.Accepted
            ? checkedInPartition
            : OperatorActionResult.Refused(result.Errors.Count > 0 ? result.Errors[0].ReasonCode : ReasonCodes.Duplicate, $"The signature was not accepted: {result.Status}.");
    }

    /// <summary>
    /// Lets another person sign a waiting approval in place of the delegator; audited. The delegator is the person the
    /// host authenticated and holds the required authority at the site; the delegate is a person (never the requester
    /// or an earlier signer of the decision) who holds the required role or one that carries at least its authority
    /// (<see cref="ApprovalOptions.SuperiorRoles"/>): delegation never lowers the authority a request needs.
    /// </summary>
    /// <param name="partitionKey">The partition that waits (lot, order…).</param>
    /// <param name="requestId">The approval request.</param>
    /// <param name="to">The delegate.</param>
    /// <param name="reason">Why (free text, not blank).</param>
    /// <param name="by">The delegator, as the host authenticated them.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>Whether it was done, or why it was refused.</returns>
    public async Task<OperatorActionResult> DelegateApprovalAsync(string partitionKey, string requestId, ActorId to, string reason, AuthenticatedIdentity by, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(by);
        var (actor, code, message) = await Authority.ResolveAsync(_runtime, by, signing: false, cancellationToken).ConfigureAwait(false);
        return actor is null
            ? OperatorActionResult.Refused(code, message)
            : await RunPartitionWorkAsync(partitionKey, (key, ct) => ApprovalAdministration.DelegateAsync(_runtime, key, requestId, actor, to, reason, ct), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Reassigns a waiting approval to another role (signatures collected so far are cleared); audited. Authority is
    /// kept or raised, never lowered: the new role is the current one or carries at least its authority
    /// (<see cref="ApprovalOptions.SuperiorRoles"/>). Who reassigns holds the current role's authority, or the
    /// orchestration-operator role, at the site.
    /// </summary>
    /// <param name="partitionKey">The partition that waits.</param>
    /// <param name="requestId">The approval request.</param>
    /// <param name="role">The new role.</param>
    /// <param name="reason">Why (free text, not blank).</param>
    /// <param name="by">Who reassigns, as the host authenticated them.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>Whether it was done, or why it was refused.</returns>
    public async Task<OperatorActionResult> ReassignApprovalAsync(string partitionKey, string requestId, Role role, string reason, AuthenticatedIdentity by, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(by);
        var (actor, code, message) = await Authority.ResolveAsync(_runtime, by, signing: false, cancellationToken).ConfigureAwait(false);
        return actor is null
            ? OperatorActionResult.Refused(code, message)
            : await RunPartitionWorkAsync(partitionKey, (key, ct) => ApprovalAdministration.ReassignAsync(_runtime, key, requestId, role, actor, reason, ct), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The approvals a partition waits for.</summary>
    /// <param name="partitionKey">The partition.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The pending approvals.</returns>
    /// <exception cref="ManufacturingOrchestrationException">
    /// <see cref="ReasonCodes.StoreDataUnreadable"/>: the partition, or a request it waits for, cannot be read back (the
    /// message names the partition and the request), as <see cref="GetPartitionAsync"/> reports a partition it cannot read.
    /// </exception>
    public async ValueTask<IReadOnlyList<PendingApproval>> GetPendingApprovalsAsync(string partitionKey, CancellationToken cancellationToken = default)
    {
        var state = await _runtime.Store.LoadPartitionAsync(partitionKey, cancellationToken).ConfigureAwait(false);
        return state is null ? [] : ApprovalAdministration.Pending(state);
    }

    /// <summary>Reads dead letters.</summary>
    /// <param name="query">Filters; <see cref="DeadLetterQuery.Open"/> for all open ones.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The dead letters.</returns>
    public ValueTask<IReadOnlyList<DeadLetter>> GetDeadLettersAsync(DeadLetterQuery query, CancellationToken cancellationToken = default) =>
        _runtime.Store.ReadDeadLettersAsync(query, cancellationToken);

    /// <summary>Reads a partition's audit trail.</summary>
    /// <param name="partitionKey">The partition (lot id, <c>order/…</c>, …).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The records, oldest first.</returns>
    public ValueTask<IReadOnlyList<AuditRecord>> GetAuditTrailAsync(string partitionKey, CancellationToken cancellationToken = default) =>
        _runtime.Store.ReadAuditAsync(partitionKey, 1, cancellationToken);

    /// <summary>Reads a partition's current state.</summary>
    /// <param name="partitionKey">The partition.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The state, or <see langword="null"/>.</returns>
    public ValueTask<PartitionState?> GetPartitionAsync(string partitionKey, CancellationToken cancellationToken = default) =>
        _runtime.Store.LoadPartitionAsync(partitionKey, cancellationToken);

    /// <summary>
    /// Records a checkpoint of every audit chain head now (also done every <see cref="OrchestratorSettings.CheckpointInterval"/>
    /// and at shutdown when anything was audited since the latest checkpoint, and at start when a checkpoint signer is
    /// configured and the latest checkpoint is not signed). With <see cref="OrchestratorOptions.AuditCheckpointSigner"/>,
    /// the checkpoint carries its MAC and the previous one's. In a cluster the periodic and shutdown checkpoints are the
    /// singleton holder's; any node may take one on request, continuing the latest stored one whoever appended it.
    /// </summary>
    /// <exception cref="AuditCheckpointConflictException">Clustered: other nodes appended checkpoints twice while this one tried.</exception>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The checkpoint.</returns>
    public async Task<AuditCheckpoint> CheckpointAuditAsync(CancellationToken cancellationToken = default)
    {
        if (_clusterCheckpoints is not null)
        {
            return (await _clusterCheckpoints.TakeAsync(onlyIfAudited: false, cancellationToken).ConfigureAwait(false))!;
        }

        return (await _nodeCheckpoints!.TakeAsync(onlyIfAudited: false, cancellationToken).ConfigureAwait(false))!;
    }

    private async Task StartClusteredAsync(ClusterCoordinator cluster, CancellationToken cancellationToken)
    {
        var stopping = _stopping!.Token;
        _singletonLoops = [];
        cluster.SingletonAcquired = async scope =>
        {
            // Audit checkpoints and audit sink deliveries run on one node of the cluster: the singleton lease's holder.
            await _clusterCheckpoints!.SignIfUnsignedAsync(stopping).ConfigureAwait(false);

            if (_runtime.AuditSinks is not { } sinks)
            {
                return;
            }

            var held = CancellationTokenSource.CreateLinkedTokenSource(scope, stopping);
            var loops = sinks.Start(held.Token).ContinueWith(_ => held.Dispose(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            lock (_intake)
            {
                _singletonLoops.RemoveAll(t => t.IsCompleted);
                _singletonLoops.Add(loops);
            }
        };

        // The first round takes this node's share of the buckets and routes what they have waiting before publishing opens.
        await cluster.RoundAsync(cancellationToken).ConfigureAwait(false);
        _clusterLoops = Task.WhenAll(
            Task.Run(() => cluster.RunAsync(stopping), CancellationToken.None),
            Task.Run(() => cluster.PollAsync(stopping), CancellationToken.None));
        _timerLoop = Task.Run(() => TimerLoopAsync(stopping), CancellationToken.None);
        _checkpointLoop = Task.Run(() => CheckpointLoopAsync(stopping), CancellationToken.None);
        _auditSinkLoops = Task.CompletedTask;
        Volatile.Write(ref _state, 1);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Volatile.Read(ref _state) == 4)
        {
            // A start under way is not torn down under it: it finishes, and what it started is stopped below.
            await _startEnded.Task.ConfigureAwait(false);
        }

        if (IsRunning)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await StopAsync(timeout.Token).ConfigureAwait(false);
        }
        else if (Volatile.Read(ref _state) == 2)
        {
            // Another caller's stop is under way: what it uses is disposed only once it has finished.
            await _stopped.Task.ConfigureAwait(false);
        }

        _stopping?.Dispose();
        _intake.Dispose();
        _clusterCheckpoints?.Dispose();
        _nodeCheckpoints?.Dispose();
        if (_ownsTelemetry)
        {
            _telemetry.Dispose();
        }
    }

    /// <summary>Why an event key given to an operator method (partition key, request id) is not accepted, or <see langword="null"/>.</summary>
    private static OperatorActionResult? RefusedKey(string? value, string what) =>
        Identifier.IsValid(value, Identifier.MaxKeyLength, out var problem)
            ? null
            : OperatorActionResult.Refused(string.IsNullOrEmpty(value) ? ReasonCodes.Required : ReasonCodes.InvalidIdentifier, $"The {what} {problem}.");

    private async Task<OperatorActionResult> RunPartitionWorkAsync(string partitionKey, Func<KeyRuntime, CancellationToken, ValueTask<Staged>> handler, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(partitionKey);
        EnsureRunning();
        var work = new PartitionWork(partitionKey, handler);
        _runtime.Route(work);
        return await work.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private void EnsureRunning()
    {
        if (Volatile.Read(ref _state) != 1)
        {
            throw new InvalidOperationException("The orchestrator is not running: call StartAsync first, and do not publish after StopAsync.");
        }
    }

    private ValueTask<PublishResult> RejectAsync(EventEnvelope? envelope, IReadOnlyList<ValidationError> errors, string channel, string? excerpt, CancellationToken cancellationToken) =>
        RejectAsync(envelope, errors, channel, excerpt, null, null, cancellationToken);

    // Without an envelope, refusedSource and refusedEventId are what the sender gave, already made safe to record
    // (Intake.EventIntake.RefusedKey).
    private async ValueTask<PublishResult> RejectAsync(EventEnvelope? envelope, IReadOnlyList<ValidationError> errors, string channel, string? excerpt, string? refusedSource, string? refusedEventId, CancellationToken cancellationToken)
    {
        // Refused input is recorded as printable, well-formed text (FreeText.Escape): an unpaired surrogate or a control
        // character in a refused id must neither be altered by a store's encoding nor break the record.
        var rejected = new RejectedEvent
        {
            Id = Guid.NewGuid().ToString("N"),
            ReceivedAt = _runtime.Time.GetUtcNow(),
            Channel = FreeText.Escape(channel),
            Source = envelope?.Source is { } source ? FreeText.Escape(source) : refusedSource,
            EventId = envelope?.Id is { } id ? FreeText.Escape(id) : refusedEventId,
            Type = envelope?.Type is { } type ? FreeText.Escape(type) : null,
            Site = envelope?.Site?.Value,
            Reasons = errors.Select(e => new RejectionReason { Path = FreeText.Escape(e.Path), Code = e.ReasonCode, Message = FreeText.Escape(e.Message) }).ToArray(),
            // Cut here, whoever records the rejection, so no caller can store unbounded input.
            Excerpt = excerpt is null ? null : FreeText.Escape(Intake.EventIntake.Excerpt(excerpt)),
        };
        await _runtime.Store.RecordRejectionAsync(rejected, cancellationToken).ConfigureAwait(false);
        _telemetry.Rejected(envelope?.Type);
        EventKey? key = envelope is { Source.Length: > 0, Id.Length: > 0 } ? new EventKey(envelope.Source, envelope.Id) : null;
        return PublishResult.Rejected(key, errors);
    }

    private async Task TimerLoopAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                var signal = _runtime.TimerSignal;
                var next = await _runtime.Store.ReadNextTimerDueAsync(stopping).ConfigureAwait(false);
                var now = _runtime.Time.GetUtcNow();
                if (next is { } due && due <= now)
                {
                    var dispatched = 0;
                    var cluster = _runtime.Cluster;
                    var readAfter = _runtime.TimersFired;
                    foreach (var timer in await _runtime.Store.ReadDueTimersAsync(now, 512, stopping).ConfigureAwait(false))
                    {
                        // Clustered, a timer fires on the node that owns its partition's bucket, under the lease it was
                        // read under (its commit is fenced too).
                        var fence = cluster?.FenceOf(timer.PartitionKey);
                        if ((cluster is null || fence is not null) && _runtime.TryStartTimer(timer.Id, readAfter))
                        {
                            _runtime.Route(new TimerWork(timer, fence));
                            dispatched++;
                        }
                    }

                    _runtime.ForgetFiredTimers(readAfter);

                    if (dispatched == 0 && cluster is not null)
                    {
                        // The due timers are other nodes' (or in flight): look again when this node's buckets change or a poll interval passes.
                        using var poll = CancellationTokenSource.CreateLinkedTokenSource(stopping);
                        await Task.WhenAny(signal, Task.Delay(_runtime.Options.Settings.Cluster.PollInterval, _runtime.Time, poll.Token)).ConfigureAwait(false);
                        await poll.CancelAsync().ConfigureAwait(false);
                    }
                    else if (dispatched == 0)
                    {
                        await signal.WaitAsync(stopping).ConfigureAwait(false);
                    }

                    continue;
                }

                if (next is { } later)
                {
                    using var wake = CancellationTokenSource.CreateLinkedTokenSource(stopping);
                    // A timer may be due beyond the longest delay a timer can be armed for (a target's retry-after
                    // can reach the end of the calendar): the loop waits that long at most and then reads again.
                    var delay = Task.Delay(later - now < LongestWait ? later - now : LongestWait, _runtime.Time, wake.Token);

                    // The delay is armed relative to the clock as it is when armed, not as it was read above. A clock
                    // that moved in between (a fake clock advanced on another thread; a wall clock stepped forward)
                    // leaves the wake-up that much late, and later than the next timer itself: a fake clock that is
                    // not advanced again then never wakes the loop, the timer stays due and undispatched, its key
                    // blocked, and WaitForIdleAsync waits on it forever. So the clock is read again once the delay
                    // is armed, and a clock that moved is read anew from the top instead of being waited on.
                    if (_runtime.Time.GetUtcNow() - now <= WakeUpSlack)
                    {
                        await Task.WhenAny(signal, delay).ConfigureAwait(false);
                    }

                    await wake.CancelAsync().ConfigureAwait(false);
                }
                else
                {
                    await signal.WaitAsync(stopping).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // The timer loop must survive a failing store: it tries again.
            catch (Exception)
#pragma warning restore CA1031
            {
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), _runtime.Time, stopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task CheckpointLoopAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_runtime.Options.Settings.CheckpointInterval, _runtime.Time, stopping).ConfigureAwait(false);
                if (_runtime.Cluster is { } cluster)
                {
                    if (cluster.HoldsSingleton)
                    {
                        await _clusterCheckpoints!.TakeAsync(onlyIfAudited: true, stopping).ConfigureAwait(false);
                    }
                }
                else
                {
                    await _nodeCheckpoints!.TakeAsync(onlyIfAudited: true, stopping).ConfigureAwait(false);
                }

                Volatile.Write(ref _checkpointFailures, 0);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // A failed checkpoint is retried at the next interval.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Interlocked.Increment(ref _checkpointFailures);
                Log.CheckpointFailed(_runtime.Logger, ex, _runtime.Options.Settings.CheckpointInterval);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1005, Level = LogLevel.Warning, Message = "The periodic audit checkpoint failed; it is taken again in {Interval}.")]
        public static partial void CheckpointFailed(ILogger logger, Exception exception, TimeSpan interval);

        [LoggerMessage(EventId = 1006, Level = LogLevel.Warning, Message = "The audit checkpoint at shutdown failed; the orchestrator stops without it (what was committed stays in the store).")]
        public static partial void ShutdownCheckpointFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 1007, Level = LogLevel.Warning, Message = "Stopping what a failed start had started failed too; the start's own failure is thrown (leases not given back expire).")]
        public static partial void StartAbandonFailed(ILogger logger, Exception exception);
    }
}
