using ManufacturingOrchestration.Engine.Approvals;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Operations;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Engine.Workflows;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Rules;
using ManufacturingOrchestration.Scenarios;
using ManufacturingOrchestration.Testing;
using Microsoft.Extensions.Time.Testing;

namespace ManufacturingOrchestration.Engine.Tests.Execution;

/// <summary>An orchestrator over the in-memory store and the plant simulators, on a fake clock.</summary>
internal sealed class EngineTestHost : IAsyncDisposable
{
    private static readonly Lazy<DecisionEngine> SharedRules = new(() => new DecisionEngineBuilder().AddStandardRules().Build());

    public static readonly SiteId Site = new("P1");
    public static readonly SiteProfile SiteProfile = new() { Id = Site, HoldLocation = new BinId("HOLD-P1") };
    public static readonly MaterialId Capacitor = new("CAP-100UF");
    public static readonly SupplierId Supplier = new("S-ACME");
    public static readonly ActorId OperatorId = new("op-anna");

    public EngineTestHost(Action<OrchestratorOptions>? configure = null, IOrchestrationStore? store = null, IEnumerable<WorkflowDefinition>? workflows = null, Func<PlantSimulator, Adapters.AdapterSet>? adapters = null, Func<ScenarioServices, IEnumerable<WorkflowDefinition>>? scenarioWorkflows = null, ErpSimulatorProfile erpProfile = ErpSimulatorProfile.SapLike)
    {
        Plant = new PlantSimulator(new PlantSimulatorOptions { TimeProvider = Time, Seed = 7, ErpProfile = erpProfile });
        Plant.AddSite(new SiteProfile { Id = Site, HoldLocation = new BinId("HOLD-P1") });
        Plant.AddMaterial(new MaterialDefinition { Id = Capacitor, BaseUnit = UnitOfMeasure.Each, Criticality = CriticalityClass.A, Supplier = Supplier });
        Services = new ScenarioServices(SharedRules.Value, new SiteDirectory([new SiteProfile { Id = Site, HoldLocation = new BinId("HOLD-P1") }]))
        {
            // The orchestrator's directory, as configured (a test may replace it): the workflows look releasers up there.
            Actors = new OptionsActorDirectory(() => Options!.Actors),
        };
        Store = store ?? new InMemoryOrchestrationStore();
        Options = new OrchestratorOptions
        {
            Store = Store,
            Adapters = adapters?.Invoke(Plant) ?? Plant.Adapters,
            TimeProvider = Time,
            Settings = { Parallelism = 2, JitterSeed = 1 },
            Actors = new InMemoryActorDirectory([new Actor { Id = OperatorId, Roles = [new RoleAssignment { Role = Role.OrchestrationOperator }] }]),
        };
        foreach (var workflow in workflows ?? scenarioWorkflows?.Invoke(Services) ?? [IncomingInspectionWorkflow.Create(Services)])
        {
            Options.Workflows.Add(workflow);
        }

        configure?.Invoke(Options);
        Orchestrator = new Orchestrator(Options);
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 2, 6, 0, 0, TimeSpan.Zero));

    public PlantSimulator Plant { get; }

    public ScenarioServices Services { get; }

    public IOrchestrationStore Store { get; }

    public OrchestratorOptions Options { get; }

    public Orchestrator Orchestrator { get; }

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async Task<EngineTestHost> StartAsync()
    {
        await Orchestrator.StartAsync(Ct);
        return this;
    }

    public MaterialLot AddLotInInspection(string lotId, decimal quantity, decimal consumed = 0, bool restricted = false)
    {
        var lot = new MaterialLot
        {
            Id = new LotId(lotId),
            Material = Capacitor,
            Site = Site,
            Supplier = Supplier,
            Unit = UnitOfMeasure.Each,
            Buckets = [new StockBucket { Category = StockCategory.QualityInspection, Quantity = Quantity.Each(quantity) }],
            ConsumedQuantity = consumed,
            IsRestrictedBatch = restricted,
        };
        Plant.AddLot(lot, new BinId("RCV-" + Site.Value));
        return lot;
    }

    public static EventEnvelope Failed(string lotId, string eventId, DefectSeverity severity = DefectSeverity.Major, long? sequence = null) => new()
    {
        Id = eventId,
        Source = "qms://plant-1",
        Type = EventTypes.InspectionFailed,
        Site = Site,
        Sequence = sequence,
        Data = new InspectionFailed
        {
            InspectionLot = new InspectionLotId("IL-" + lotId),
            Lot = new LotId(lotId),
            Material = Capacitor,
            Site = Site,
            Supplier = Supplier,
            Severity = severity,
            DefectDescription = "Capacitance out of tolerance",
            Evidence = [new EvidenceReference { Location = new Uri("https://qms.example/evidence/" + lotId + ".jpg"), MediaType = "image/jpeg" }],
        },
    };

    public static EventEnvelope Passed(string lotId, string eventId, long? sequence = null) => new()
    {
        Id = eventId,
        Source = "qms://plant-1",
        Type = EventTypes.InspectionPassed,
        Site = Site,
        Sequence = sequence,
        Data = new InspectionPassed { InspectionLot = new InspectionLotId("IL-" + lotId), Lot = new LotId(lotId), Material = Capacitor, Site = Site },
    };

    /// <summary>The identity the host's authentication would give <paramref name="actor"/> now, on the host's clock.</summary>
    public AuthenticatedIdentity Identity(ActorId actor) => TestIdentity.For(actor, Time);

    /// <summary>Carries out an operator action as <paramref name="op"/> (the orchestration operator by default), authenticated now.</summary>
    public Task<OperatorActionResult> ActAsync(OperatorRequest request, ActorId? op = null) =>
        Orchestrator.ActAsync(request, Identity(op ?? OperatorId), Ct);

    /// <summary>A person's answer to a waiting approval, to sign through <see cref="SignAsync"/>: what <paramref name="signature"/> says, by its signer.</summary>
    public static SignatureAttempt Attempt(string partitionKey, string requestId, ElectronicSignature signature) => new(
        new ApprovalAnswer { PartitionKey = partitionKey, RequestId = requestId, Meaning = signature.Meaning, Reason = signature.Reason, Justification = signature.Justification },
        signature.Signer);

    /// <summary>Signs as the attempt's signer, authenticated now, and waits until the work it caused is done.</summary>
    public async Task<OperatorActionResult> SignAsync(SignatureAttempt attempt)
    {
        var result = await Orchestrator.SignApprovalAsync(attempt.Answer, Identity(attempt.Signer), Ct).WaitAsync(IdleTimeout, Ct);
        await WaitForIdleAsync();
        return result;
    }

    /// <summary>The answer to a pending approval as the approvals source publishes it: given when the signature approves, refused otherwise.</summary>
    public static EventEnvelope ApprovalAnswer(string partitionKey, string requestId, ElectronicSignature signature, string eventId) => new()
    {
        Id = eventId,
        Source = "mo://approvals",
        Type = signature.Meaning == SignatureMeaning.Approve ? EventTypes.ApprovalGiven : EventTypes.ApprovalRefused,
        Site = Site,
        Data = signature.Meaning == SignatureMeaning.Approve
            ? new ApprovalGiven { RequestId = requestId, PartitionKey = partitionKey, Signature = signature }
            : new ApprovalRefused { RequestId = requestId, PartitionKey = partitionKey, Signature = signature },
    };

    /// <summary>How long a helper waits for the orchestrator to become idle: tests reach idle in seconds, even on a loaded machine.</summary>
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(60);

    public async Task PublishAndWaitAsync(params EventEnvelope[] events)
    {
        foreach (var envelope in events)
        {
            (await Orchestrator.PublishAsync(envelope, Ct).AsTask().WaitAsync(IdleTimeout, Ct)).Status.Should().Be(PublishStatus.Accepted, envelope.Id);
        }

        await WaitForIdleAsync();
    }

    /// <summary>
    /// Waits until the orchestrator is idle, for at most <paramref name="limit"/> (default <see cref="IdleTimeout"/>);
    /// a wait that runs out is ended and fails saying what was pending.
    /// </summary>
    public async Task WaitForIdleAsync(TimeSpan? limit = null)
    {
        var timeout = limit ?? IdleTimeout;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cts.CancelAfter(timeout);
        try
        {
            await Orchestrator.WaitForIdleAsync(cts.Token);
        }
        catch (OperationCanceledException ex) when (cts.IsCancellationRequested && !Ct.IsCancellationRequested)
        {
            var due = await Store.ReadNextTimerDueAsync(Ct);
            throw new TimeoutException($"The orchestrator was not idle after {timeout}: {Orchestrator.Backlog} work item(s) queued or running, next timer due {due?.ToString("O") ?? "never"}, clock at {Time.GetUtcNow():O}.", ex);
        }
    }

    public async Task<string> DescribeDeadLettersAsync()
    {
        var open = await Orchestrator.GetDeadLettersAsync(DeadLetterQuery.Open, Ct);
        return string.Join("; ", open.Select(d => $"{d.Id} {d.Command?.Kind} {d.ReasonCode} {d.Message}"));
    }

    public async ValueTask DisposeAsync()
    {
        await Orchestrator.DisposeAsync();
        Plant.Dispose();
    }

    /// <summary>Looks actors up in whatever directory the orchestrator's options hold when asked.</summary>
    private sealed class OptionsActorDirectory(Func<IActorDirectory> directory) : IActorDirectory
    {
        public ValueTask<Actor?> FindAsync(ActorId actor, CancellationToken cancellationToken = default) => directory().FindAsync(actor, cancellationToken);
    }
}

/// <summary>An answer to sign and who signs it.</summary>
internal sealed record SignatureAttempt(ApprovalAnswer Answer, ActorId Signer);
