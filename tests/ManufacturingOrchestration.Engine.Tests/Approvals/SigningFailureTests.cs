using ManufacturingOrchestration.Engine.Approvals;
using ManufacturingOrchestration.Engine.Commands;
using ManufacturingOrchestration.Engine.Operations;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Engine.Tests.Execution;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;

namespace ManufacturingOrchestration.Engine.Tests.Approvals;

/// <summary>
/// What the host provides fails while a person signs, delegates or reassigns a waiting approval — the store for a moment,
/// the stored request (damaged), the host's actor directory — and the person is told what failed in a structured
/// refusal, not that the engine failed: nothing of the action is applied, and trying it again once the failure is gone
/// carries it out.
/// </summary>
public sealed class SigningFailureTests
{
    private static readonly ActorId Supervisor = GatedRelease.Supervisor;
    private static readonly ActorId SecondSupervisor = GatedRelease.SecondSupervisor;

    private static CancellationToken Ct => EngineTestHost.Ct;

    [Fact]
    public async Task Sign_StoreFailsToAcceptTheSignature_IsRefusedAsStoreUnavailableNothingAppliedAndATryAgainSucceeds()
    {
        ClusterTakeoverFailureTests.FlakyStore? flaky = null;
        await using var host = await GatedRelease.StartHostAsync(configure: o => (o.Store, flaky) = ClusterTakeoverFailureTests.FlakyStore.Wrap(o.Store));
        var requestId = await GatedRelease.RequestAsync(host, "L-SF1");

        flaky!.FailNext(nameof(IOrchestrationStore.AcceptAsync));
        var refused = await GatedRelease.SignAsync(host, "L-SF1", requestId, Supervisor);

        flaky.Failed.Should().BeTrue();
        refused.Succeeded.Should().BeFalse();
        refused.Refusal.Should().Be(ReasonCodes.StoreUnavailable, "the store failed, not the signature");
        refused.Message.Should().Contain("try it again");
        (await host.Orchestrator.GetPendingApprovalsAsync("L-SF1", Ct)).Should().ContainSingle().Which.Signatures.Should().BeEmpty();
        (await host.Orchestrator.GetAuditTrailAsync("L-SF1", Ct)).Should().NotContain(a => a.Action.StartsWith("e-signature", StringComparison.Ordinal));
        host.Plant.Notification.Sent.Should().BeEmpty();

        var done = await GatedRelease.SignAsync(host, "L-SF1", requestId, Supervisor);
        done.Succeeded.Should().BeTrue(done.Message);
        (await host.Orchestrator.GetPendingApprovalsAsync("L-SF1", Ct)).Should().BeEmpty();
        host.Plant.Notification.SentTo(Role.Planner, EngineTestHost.Site).Should().ContainSingle();
        (await host.Orchestrator.GetAuditTrailAsync("L-SF1", Ct)).Should().ContainSingle(a => a.Action == "e-signature:approve");
    }

    [Theory]
    [InlineData("sign")]
    [InlineData("delegate")]
    [InlineData("reassign")]
    public async Task Act_StoredRequestIsDamaged_IsRefusedAsUnreadableNamingItNothingApplied(string action)
    {
        var store = new InMemoryOrchestrationStore();
        string requestId;
        await using (var first = await GatedRelease.StartHostAsync(configure: o => o.Store = store))
        {
            requestId = await GatedRelease.RequestAsync(first, "L-SF2");
        }

        var stored = (await store.LoadPartitionAsync("L-SF2", Ct))!;
        var waiting = stored.Instances.Should().ContainSingle(i => i.Id == requestId).Subject;
        var damaged = await StoreSeed.SeedAsync(store, stored with { Instances = [.. stored.Instances.Select(i => i == waiting ? i with { Data = "{\"requestId\":" } : i)] });
        var auditBefore = (await store.ReadAuditAsync("L-SF2", 1, Ct)).Count;

        await using var host = await GatedRelease.StartHostAsync(configure: o => o.Store = store);
        var refused = await ActAsync(host, action, "L-SF2", requestId);
        await host.WaitForIdleAsync();

        refused.Succeeded.Should().BeFalse();
        refused.Refusal.Should().Be(ReasonCodes.StoreDataUnreadable, refused.Message);
        refused.Message.Should().Contain(requestId).And.Contain("L-SF2");
        var after = (await store.LoadPartitionAsync("L-SF2", Ct))!;
        after.Version.Should().Be(damaged.Version, "nothing of the action was applied");
        (await store.ReadAuditAsync("L-SF2", 1, Ct)).Should().HaveCount(auditBefore);
    }

    [Fact]
    public async Task GetPendingApprovals_StoredRequestIsDamaged_ThrowsUnreadableNamingThePartitionAndTheRequest()
    {
        var (store, requestId) = await DamagedRequestAsync("L-SF6");
        await using var host = await GatedRelease.StartHostAsync(configure: o => o.Store = store);

        var read = await FluentActions.Awaiting(async () => await host.Orchestrator.GetPendingApprovalsAsync("L-SF6", Ct))
            .Should().ThrowAsync<ManufacturingOrchestrationException>();

        read.Which.ReasonCode.Should().Be(ReasonCodes.StoreDataUnreadable);
        read.Which.Message.Should().Contain(requestId).And.Contain("L-SF6");
        read.Which.InnerException.Should().BeOfType<System.Text.Json.JsonException>();
    }

    [Fact]
    public async Task OperatorQueries_PendingApprovalsWithARequestDamaged_ThrowsUnreadableNamingThePartitionAndTheRequest()
    {
        var (store, requestId) = await DamagedRequestAsync("L-SF8");
        await using var host = await GatedRelease.StartHostAsync(configure: o => o.Store = store);

        var read = await FluentActions.Awaiting(async () => await new OperatorQueries(host.Orchestrator).GetPendingApprovalsAsync(OperatorQueryFilter.None, Ct))
            .Should().ThrowAsync<ManufacturingOrchestrationException>();

        read.Which.ReasonCode.Should().Be(ReasonCodes.StoreDataUnreadable);
        read.Which.Message.Should().Contain(requestId).And.Contain("L-SF8");
    }

    [Fact]
    public async Task Sign_StoredRequestIsDamagedWhenTheAcceptedSignatureIsProcessed_IsDeadLetteredAsUnreadableNamingIt()
    {
        // The signature was checked and accepted while the request could be read; the partition meets the request damaged
        // when it takes the signature in.
        var (store, requestId) = await DamagedRequestAsync("L-SF7");
        var now = new DateTimeOffset(2026, 11, 2, 6, 0, 0, TimeSpan.Zero);
        var envelope = new EventEnvelope
        {
            Id = "sig-L-SF7",
            Source = Authority.SignatureSource,
            Type = EventTypes.ApprovalGiven,
            Site = EngineTestHost.Site,
            Time = now,
            Data = new ApprovalGiven
            {
                RequestId = requestId,
                PartitionKey = "L-SF7",
                SignatureRound = 0,
                Signature = new ElectronicSignature { Signer = Supervisor, Role = Role.Supervisor, Meaning = SignatureMeaning.Approve, SignedAt = now, Reason = "looks right", AuthenticatedAt = now, AuthenticationMethod = "pwd" },
            },
        };
        await store.AcceptAsync([new InboxEvent { Key = new EventKey(envelope.Source, envelope.Id), PartitionKey = "L-SF7", AcceptedAt = now, Envelope = envelope }], new bool[1], Ct);

        await using var host = await GatedRelease.StartHostAsync(configure: o => o.Store = store);
        await host.WaitForIdleAsync();

        var deadLetter = (await host.Orchestrator.GetDeadLettersAsync(DeadLetterQuery.Open, Ct)).Should().ContainSingle().Subject;
        deadLetter.ReasonCode.Should().Be(ReasonCodes.StoreDataUnreadable, deadLetter.Message);
        deadLetter.Event.Should().Be(new EventKey(envelope.Source, envelope.Id));
        deadLetter.Message.Should().Contain(requestId).And.Contain("L-SF7");
        (await host.Orchestrator.GetPartitionAsync("L-SF7", Ct))!.Parked!.ReasonCode.Should().Be(ReasonCodes.StoreDataUnreadable);
        (await host.Orchestrator.GetAuditTrailAsync("L-SF7", Ct)).Should().ContainSingle(a => a.Reason.StartsWith(ReasonCodes.StoreDataUnreadable.Code, StringComparison.Ordinal))
            .Which.Reason.Should().Contain(requestId);
        host.Plant.Notification.Sent.Should().BeEmpty();
    }

    [Fact]
    public async Task SlaTimer_StoredRequestIsDamaged_TheTimerIsRemovedAfterTheRetriesWithTheProblemAuditedNamingTheRequest()
    {
        var (store, requestId) = await DamagedRequestAsync("L-SF8");
        var logs = new CapturingLoggerFactory();
        await using var host = await GatedRelease.StartHostAsync(configure: o =>
        {
            o.Store = store;
            o.Settings.Retry = new RetryPolicy { MaxAttempts = 2 };
            o.LoggerFactory = logs;
        });

        // Past the request's deadline; then, while the timer waits between its tries (the orchestrator does not look
        // idle meanwhile), the clock is moved on in small steps for at most the idle timeout.
        host.Time.Advance(TimeSpan.FromHours(5));
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!logs.Entries.Any(e => e.Id.Id == 1008) && waited.Elapsed < EngineTestHost.IdleTimeout)
        {
            host.Time.Advance(TimeSpan.FromMilliseconds(50));
            await Task.Delay(20, Ct);
        }

        await host.WaitForIdleAsync();

        logs.Entries.Should().ContainSingle(e => e.Id.Id == 1008, "the escalation timer was given up once its retries ran out");
        (await store.ReadNextTimerDueAsync(Ct)).Should().BeNull("the escalation timer was removed");
        var audit = await host.Orchestrator.GetAuditTrailAsync("L-SF8", Ct);
        audit.Should().NotContain(a => a.Action == "sla-breached");
        audit.Should().ContainSingle(a => a.Action == "timer-unreadable").Which.Reason.Should().StartWith(ReasonCodes.StoreDataUnreadable.Code).And.Contain(requestId).And.Contain("L-SF8");
        (await host.Orchestrator.GetDeadLettersAsync(DeadLetterQuery.Open, Ct)).Should().BeEmpty();
        host.Plant.Notification.Sent.Should().BeEmpty();
    }

    /// <summary>A store in which <paramref name="lot"/> waits for an approval whose stored request is damaged.</summary>
    internal static async Task<(InMemoryOrchestrationStore Store, string RequestId)> DamagedRequestAsync(string lot)
    {
        var store = new InMemoryOrchestrationStore();
        string requestId;
        await using (var first = await GatedRelease.StartHostAsync(configure: o => o.Store = store))
        {
            requestId = await GatedRelease.RequestAsync(first, lot);
        }

        var stored = (await store.LoadPartitionAsync(lot, Ct))!;
        var waiting = stored.Instances.Should().ContainSingle(i => i.Id == requestId).Subject;
        await StoreSeed.SeedAsync(store, stored with { Instances = [.. stored.Instances.Select(i => i == waiting ? i with { Data = "{\"requestId\":" } : i)] });
        return (store, requestId);
    }

    [Theory]
    [InlineData("sign", "sup-sara")]
    [InlineData("sign", "qe-ian")]
    [InlineData("delegate", "sup-sara")]
    [InlineData("delegate", "sup-sam")]
    [InlineData("reassign", "sup-sara")]
    public async Task Act_ActorDirectoryThrows_IsRefusedAsDirectoryUnavailableNothingAppliedAndATryAgainSucceeds(string action, string failingLookup)
    {
        var directory = new FailingActorDirectory(GatedRelease.Actors);
        await using var host = await GatedRelease.StartHostAsync(directory);
        var requestId = await GatedRelease.RequestAsync(host, "L-SF3");
        var before = (await host.Orchestrator.GetPartitionAsync("L-SF3", Ct))!.Version;

        directory.FailFor = new ActorId(failingLookup);
        var refused = await ActAsync(host, action, "L-SF3", requestId);
        await host.WaitForIdleAsync();

        directory.Failures.Should().BePositive("the directory was asked and failed");
        refused.Succeeded.Should().BeFalse();
        refused.Refusal.Should().Be(ReasonCodes.ActorDirectoryUnavailable, refused.Message);
        refused.Message.Should().Contain("directory is down");
        (await host.Orchestrator.GetPartitionAsync("L-SF3", Ct))!.Version.Should().Be(before, "nothing of the action was applied");
        var pending = (await host.Orchestrator.GetPendingApprovalsAsync("L-SF3", Ct)).Should().ContainSingle().Subject;
        pending.Signatures.Should().BeEmpty();
        pending.Delegations.Should().BeEmpty();
        pending.SignatureRound.Should().Be(0);
        (await host.Orchestrator.GetDeadLettersAsync(DeadLetterQuery.Open, Ct)).Should().BeEmpty();

        directory.FailFor = null;
        var done = await ActAsync(host, action, "L-SF3", requestId);
        await host.WaitForIdleAsync();
        done.Succeeded.Should().BeTrue(done.Message);
    }

    [Fact]
    public async Task Sign_DirectoryFailsWhileTheAcceptedSignatureIsProcessed_TheSignatureWaitsForARetryAndCountsOnceTheDirectoryIsBack()
    {
        var directory = new FailingActorDirectory(GatedRelease.Actors);
        ReassignedApprovalSigningTests.HeldSignatureStore? held = null;
        await using var host = await GatedRelease.StartHostAsync(directory, o => (o.Store, held) = ReassignedApprovalSigningTests.HeldSignatureStore.Wrap(o.Store));
        var requestId = await GatedRelease.RequestAsync(host, "L-SF5");

        // Checked while the directory answers; the directory goes down before the partition takes the signature in.
        held!.Hold();
        var signing = host.Orchestrator.SignApprovalAsync(
            new ApprovalAnswer { PartitionKey = "L-SF5", RequestId = requestId, Meaning = SignatureMeaning.Approve, Reason = "looks right" },
            host.Identity(Supervisor),
            Ct);
        await held.Reached.WaitAsync(EngineTestHost.IdleTimeout, Ct);
        directory.FailFor = Supervisor;
        held.Release();
        (await signing.WaitAsync(EngineTestHost.IdleTimeout, Ct)).Succeeded.Should().BeTrue();
        await host.WaitForIdleAsync();

        directory.Failures.Should().BePositive("the partition asked the directory and it failed");
        (await host.Orchestrator.GetDeadLettersAsync(DeadLetterQuery.Open, Ct)).Should().BeEmpty("the host's directory failed for a moment, not the signature");
        (await host.Orchestrator.GetPendingApprovalsAsync("L-SF5", Ct)).Should().ContainSingle().Which.Signatures.Should().BeEmpty();
        host.Plant.Notification.Sent.Should().BeEmpty();

        directory.FailFor = null;
        await TestWorkflows.AdvanceUntilAsync(host, () => host.Plant.Notification.Sent.Count > 0, TimeSpan.FromSeconds(5));

        (await host.Orchestrator.GetPendingApprovalsAsync("L-SF5", Ct)).Should().BeEmpty("the signature counted once the directory answered");
        host.Plant.Notification.SentTo(Role.Planner, EngineTestHost.Site).Should().ContainSingle();
        (await host.Orchestrator.GetAuditTrailAsync("L-SF5", Ct)).Should().ContainSingle(a => a.Action == "e-signature:approve");
    }

    [Fact]
    public async Task Reassign_CallerCancelsWhileTheDirectoryLooksUp_IsCancelled()
    {
        var directory = new FailingActorDirectory(GatedRelease.Actors);
        await using var host = await GatedRelease.StartHostAsync(directory);
        var requestId = await GatedRelease.RequestAsync(host, "L-SF4");
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        directory.WaitFor = Supervisor;
        var reassigning = host.Orchestrator.ReassignApprovalAsync("L-SF4", requestId, Role.Supervisor, "shift change", host.Identity(Supervisor), cancel.Token);
        await directory.Waiting.WaitAsync(EngineTestHost.IdleTimeout, Ct);
        await cancel.CancelAsync();

        await FluentActions.Awaiting(() => reassigning.WaitAsync(EngineTestHost.IdleTimeout, Ct)).Should().ThrowAsync<OperationCanceledException>();
        (await host.Orchestrator.GetPendingApprovalsAsync("L-SF4", Ct)).Should().ContainSingle().Which.SignatureRound.Should().Be(0);
    }

    private static async Task<OperatorActionResult> ActAsync(EngineTestHost host, string action, string lot, string requestId) => action switch
    {
        "sign" => await host.Orchestrator.SignApprovalAsync(
            new ApprovalAnswer { PartitionKey = lot, RequestId = requestId, Meaning = SignatureMeaning.Approve, Reason = "looks right" },
            host.Identity(Supervisor),
            Ct).WaitAsync(EngineTestHost.IdleTimeout, Ct),
        "delegate" => await host.Orchestrator.DelegateApprovalAsync(lot, requestId, SecondSupervisor, "on leave", host.Identity(Supervisor), Ct).WaitAsync(EngineTestHost.IdleTimeout, Ct),
        "reassign" => await host.Orchestrator.ReassignApprovalAsync(lot, requestId, Role.Supervisor, "shift change", host.Identity(Supervisor), Ct).WaitAsync(EngineTestHost.IdleTimeout, Ct),
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, null),
    };

    /// <summary>The host's directory, which fails looking up one actor while told to, or waits for the caller's cancellation.</summary>
    private sealed class FailingActorDirectory(params Actor[] actors) : IActorDirectory
    {
        private readonly InMemoryActorDirectory _inner = new(actors);
        private readonly TaskCompletionSource _waiting = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Lock _gate = new();
        private ActorId? _failFor;
        private ActorId? _waitFor;
        private int _failures;

        public ActorId? FailFor
        {
            get { lock (_gate) { return _failFor; } }
            set { lock (_gate) { _failFor = value; } }
        }

        public ActorId? WaitFor
        {
            get { lock (_gate) { return _waitFor; } }
            set { lock (_gate) { _waitFor = value; } }
        }

        public int Failures => Volatile.Read(ref _failures);

        public Task Waiting => _waiting.Task;

        public async ValueTask<Actor?> FindAsync(ActorId actor, CancellationToken cancellationToken = default)
        {
            if (actor == FailFor)
            {
                Interlocked.Increment(ref _failures);
                throw new HttpRequestException("The identity provider's directory is down.");
            }

            if (actor == WaitFor)
            {
                _waiting.TrySetResult();
                await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
            }

            return await _inner.FindAsync(actor, cancellationToken);
        }
    }
}
