using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Audit;
using ManufacturingOrchestration.Engine.Commands;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;

namespace ManufacturingOrchestration.Testing.StoreContract;

/// <summary>
/// The contract every <see cref="IOrchestrationStore"/> implementation passes unchanged. A store's test class derives
/// from this class, implements <see cref="CreateStoreAsync"/> (a fresh, empty store per call) and, for a durable
/// store, overrides <see cref="ReopenStoreAsync"/> to close the store and open it again over the same data.
/// </summary>
/// <remarks>
/// The suite disposes every store <see cref="CreateStoreAsync"/> or <see cref="ReopenStoreAsync"/> handed to it
/// (through <see cref="IAsyncDisposable"/> or <see cref="IDisposable"/>), except an instance that
/// <see cref="ReopenStoreAsync"/> replaced: the override owns the instance it closes.
/// </remarks>
public abstract partial class OrchestrationStoreContractTests : IAsyncDisposable
{
    /// <summary>The reference time every test builds its times from.</summary>
    protected static readonly DateTimeOffset T0 = new(2026, 3, 2, 6, 0, 0, TimeSpan.Zero);

    /// <summary>The event source most test events come from.</summary>
    protected const string QmsSource = "qms://plant-1";

    private readonly List<IOrchestrationStore> _stores = [];

    /// <summary>Creates a new, empty store.</summary>
    /// <returns>The store.</returns>
    protected abstract ValueTask<IOrchestrationStore> CreateStoreAsync();

    /// <summary>
    /// Closes a store and opens it again over the same data, as after a process restart. The default returns the
    /// same instance, which is right for a store that lives only in memory.
    /// </summary>
    /// <param name="store">The store to reopen; the override disposes it when it returns another instance.</param>
    /// <returns>The reopened store.</returns>
    protected virtual ValueTask<IOrchestrationStore> ReopenStoreAsync(IOrchestrationStore store) => ValueTask.FromResult(store);

    /// <summary>Creates the payload of a test outbox command: JSON with escapes and non-ASCII text, which a store keeps byte for byte.</summary>
    /// <param name="idempotencyKey">The command's idempotency key.</param>
    /// <param name="partitionKey">The command's partition.</param>
    /// <returns>The payload.</returns>
    protected static CommandPayload CreateCommandPayload(string idempotencyKey, string partitionKey) =>
        new(System.Text.Encoding.UTF8.GetBytes($$"""{"context":{"idempotencyKey":"{{idempotencyKey}}","correlationId":"corr-{{partitionKey}}","site":"plant-1"},"roles":["qualityEngineer"],"site":"plant-1","subject":"Lot {{partitionKey}} needs attention \u00e9 – Prüfung ✓"}"""));

    /// <summary>The current test's cancellation token.</summary>
    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Disposes every store the suite was given.</summary>
    /// <returns>A task that completes when they are disposed.</returns>
    public async ValueTask DisposeAsync()
    {
        for (var i = _stores.Count - 1; i >= 0; i--)
        {
            switch (_stores[i])
            {
                case IAsyncDisposable asyncDisposable:
                    await asyncDisposable.DisposeAsync();
                    break;
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
            }
        }

        _stores.Clear();
        GC.SuppressFinalize(this);
    }

    /// <summary>Creates a store through <see cref="CreateStoreAsync"/> and remembers it for disposal.</summary>
    /// <returns>The store.</returns>
    protected async ValueTask<IOrchestrationStore> NewStoreAsync()
    {
        var store = await CreateStoreAsync();
        _stores.Add(store);
        return store;
    }

    /// <summary>Reopens a store through <see cref="ReopenStoreAsync"/> and remembers the new instance for disposal.</summary>
    /// <param name="store">The store.</param>
    /// <returns>The reopened store.</returns>
    protected async ValueTask<IOrchestrationStore> ReopenAsync(IOrchestrationStore store)
    {
        var reopened = await ReopenStoreAsync(store);
        if (!ReferenceEquals(reopened, store))
        {
            _stores.Remove(store);
            _stores.Add(reopened);
        }

        return reopened;
    }

    /// <summary>Creates an inbox event of a partition.</summary>
    /// <param name="partitionKey">The partition (a lot id).</param>
    /// <param name="id">The event id.</param>
    /// <param name="acceptedAt">When it is accepted (default <see cref="T0"/>).</param>
    /// <param name="source">The event source.</param>
    /// <returns>The event, without position.</returns>
    protected static InboxEvent NewEvent(string partitionKey, string id, DateTimeOffset? acceptedAt = null, string source = QmsSource) => new()
    {
        Key = new EventKey(source, id),
        PartitionKey = partitionKey,
        AcceptedAt = acceptedAt ?? T0,
        Envelope = new EventEnvelope
        {
            Id = id,
            Source = source,
            Type = EventTypes.InspectionPassed,
            Time = acceptedAt ?? T0,
            PartitionKey = partitionKey,
            Data = new InspectionPassed
            {
                InspectionLot = new InspectionLotId($"IL-{partitionKey}"),
                Lot = new LotId(partitionKey),
                Material = new MaterialId("M-100"),
                Site = new SiteId("plant-1"),
            },
        },
    };

    /// <summary>Accepts events and returns, per event, whether it was accepted.</summary>
    /// <param name="store">The store.</param>
    /// <param name="events">The events.</param>
    /// <returns>The accepted flags.</returns>
    protected static async ValueTask<bool[]> AcceptAsync(IOrchestrationStore store, params InboxEvent[] events)
    {
        var accepted = new bool[events.Length];
        await store.AcceptAsync(events, accepted, Ct);
        return accepted;
    }

    /// <summary>Creates a state of a partition at a version.</summary>
    /// <param name="partitionKey">The partition.</param>
    /// <param name="version">The version.</param>
    /// <param name="marker">A value kept under the name <c>marker</c>, to tell states apart.</param>
    /// <returns>The state.</returns>
    protected static PartitionState NewState(string partitionKey, long version, string? marker = null) => new()
    {
        Key = partitionKey,
        Version = version,
        NextCommandOrdinal = version,
        Values = new Dictionary<string, string>(StringComparer.Ordinal) { ["marker"] = marker ?? $"\"v{version}\"" },
    };

    /// <summary>Creates a step that moves a partition from <paramref name="expectedVersion"/> to the next version.</summary>
    /// <param name="partitionKey">The partition.</param>
    /// <param name="expectedVersion">The expected version.</param>
    /// <returns>The step.</returns>
    protected static StepCommit NewStep(string partitionKey, long expectedVersion) => new()
    {
        PartitionKey = partitionKey,
        ExpectedVersion = expectedVersion,
        NewState = NewState(partitionKey, expectedVersion + 1),
    };

    /// <summary>Commits one step.</summary>
    /// <param name="store">The store.</param>
    /// <param name="commit">The step.</param>
    /// <returns>A task that completes when committed.</returns>
    protected static ValueTask CommitAsync(IOrchestrationStore store, StepCommit commit) => store.CommitAsync([commit], Ct);

    /// <summary>Creates an outbox command.</summary>
    /// <param name="partitionKey">The partition.</param>
    /// <param name="ordinal">The ordinal.</param>
    /// <param name="status">The status.</param>
    /// <param name="createdAt">When it was planned (default <see cref="T0"/>).</param>
    /// <returns>The command.</returns>
    protected OutboxEntry NewCommand(string partitionKey, long ordinal, OutboxStatus status = OutboxStatus.Pending, DateTimeOffset? createdAt = null)
    {
        var key = IdempotencyKeys.Derive(QmsSource, $"{partitionKey}-evt", "notify", CommandKinds.NotificationSend, (int)ordinal);
        return new OutboxEntry
        {
            IdempotencyKey = key,
            PartitionKey = partitionKey,
            Ordinal = ordinal,
            Kind = CommandKinds.NotificationSend,
            Payload = CreateCommandPayload(key, partitionKey),
            CorrelationId = $"corr-{partitionKey}",
            CausedBy = new EventKey(QmsSource, $"{partitionKey}-evt"),
            Step = "notify",
            Workflow = "inspection-passed@1",
            CreatedAt = createdAt ?? T0,
            Status = status,
            TraceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        };
    }

    /// <summary>Creates audit records that continue a chain.</summary>
    /// <param name="partitionKey">The partition.</param>
    /// <param name="head">The chain head before the records.</param>
    /// <param name="count">How many records.</param>
    /// <param name="newHead">The chain head after them.</param>
    /// <returns>The chained records.</returns>
    protected static IReadOnlyList<AuditRecord> NewAudit(string partitionKey, AuditHead head, int count, out AuditHead newHead)
    {
        var records = new List<AuditRecord>(count);
        for (var i = 0; i < count; i++)
        {
            var draft = new AuditRecord
            {
                PartitionKey = partitionKey,
                Sequence = 0,
                RecordedAt = T0.AddSeconds(head.Count + 1),
                Actor = "system:inspection-passed",
                Action = "transition",
                Reason = $"step {head.Count + 1}",
                Workflow = "inspection-passed",
                WorkflowVersion = 1,
                Event = new EventKey(QmsSource, $"{partitionKey}-evt"),
                CorrelationId = $"corr-{partitionKey}",
                Before = "QualityInspection",
                After = "Unrestricted",
                PreviousHash = string.Empty,
                Hash = string.Empty,
            };
            records.Add(AuditHashes.Chain(head, draft, out head));
        }

        newHead = head;
        return records;
    }

    /// <summary>Creates a checkpoint over chain heads, chained to a previous checkpoint.</summary>
    /// <param name="number">The checkpoint number.</param>
    /// <param name="previousHash">The previous checkpoint's hash.</param>
    /// <param name="heads">The heads.</param>
    /// <returns>The checkpoint with its hash.</returns>
    protected static AuditCheckpoint NewCheckpoint(long number, string previousHash, IReadOnlyDictionary<string, AuditHead> heads)
    {
        var checkpoint = new AuditCheckpoint { Number = number, TakenAt = T0.AddMinutes(number), Heads = heads, PreviousHash = previousHash, Hash = string.Empty };
        return checkpoint with { Hash = AuditHashes.Compute(checkpoint) };
    }

    /// <summary>Creates a durable timer.</summary>
    /// <param name="id">The id.</param>
    /// <param name="partitionKey">The partition.</param>
    /// <param name="dueAt">When it is due.</param>
    /// <param name="purpose">What it is for.</param>
    /// <returns>The timer.</returns>
    protected static DurableTimer NewTimer(string id, string partitionKey, DateTimeOffset dueAt, string purpose = "sla") => new()
    {
        Id = id,
        PartitionKey = partitionKey,
        DueAt = dueAt,
        Purpose = purpose,
        Data = $"{{\"timer\":\"{id}\"}}",
    };

    /// <summary>Creates an open dead letter for a command.</summary>
    /// <param name="id">The dead letter id.</param>
    /// <param name="command">The failed command.</param>
    /// <param name="at">When.</param>
    /// <param name="site">The site.</param>
    /// <returns>The dead letter.</returns>
    protected static DeadLetter NewDeadLetter(string id, OutboxEntry command, DateTimeOffset at, string? site = "plant-1") => new()
    {
        Id = id,
        PartitionKey = command.PartitionKey,
        Command = command with { Status = OutboxStatus.DeadLettered },
        ReasonCode = ReasonCodes.AdapterPermanent,
        Message = "The target refused the command.",
        At = at,
        Site = site,
    };
}
