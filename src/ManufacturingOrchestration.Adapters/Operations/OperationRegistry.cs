using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using ManufacturingOrchestration.Adapters.Serialization;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Adapters;

/// <summary>Whether an operation changes its target system (a command, kept in the outbox) or only reads it (a query).</summary>
public enum OperationType
{
    /// <summary>A command: planned by a step, kept in the outbox, executed exactly once in effect under its idempotency key.</summary>
    Command = 0,

    /// <summary>A read-only query, made inside a step or by the orchestrator itself; never kept.</summary>
    Query = 1,
}

/// <summary>One registered operation: its stable kind, its target system, its request type and the handler interface that carries it out.</summary>
public sealed record OperationDescriptor
{
    /// <summary>The stable kind, <c>&lt;system&gt;.&lt;verb-object&gt;</c>, such as <c>erp.change-stock-category</c> or <c>lims.record-sample</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>The target system: the text of <see cref="Kind"/> before its first dot, such as <c>erp</c> or <c>lims</c>.</summary>
    public string System => CommandKinds.SystemOf(Kind);

    /// <summary>Whether it is a command or a query.</summary>
    public required OperationType Type { get; init; }

    /// <summary>The command or query type.</summary>
    public required Type RequestType { get; init; }

    /// <summary>The interface an adapter implements to carry it out: <see cref="ICommandHandler{TCommand}"/> or <see cref="IQueryHandler{TQuery, TResult}"/> closed over <see cref="RequestType"/>.</summary>
    public required Type HandlerType { get; init; }
}

/// <summary>
/// The operations an orchestrator knows — built-in and user-defined alike, on one path: each command type with its
/// stable kind and its JSON contract (the outbox keeps a command as bytes this registry writes and reads back, under
/// the kind), each query type with its kind, and for both the handler interface an adapter implements to carry it
/// out. <see cref="CreateDefault"/> holds the library's commands and queries; add your own with
/// <see cref="AddCommand{TCommand}"/> and <see cref="AddQuery{TQuery, TResult}"/>.
/// </summary>
/// <remarks>Register everything while composing, before the orchestrator starts; reads are safe from any thread.</remarks>
public sealed class OperationRegistry
{
    private static readonly Lazy<OperationRegistry> s_builtIn = new(BuildDefault);

    private readonly ConcurrentDictionary<string, Entry> _byKind = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Type, Entry> _byType = new();
    private readonly Lock _gate = new();
    private readonly List<OperationDescriptor> _operations = [];

    /// <summary>Creates an empty registry (no built-in operation: most hosts want <see cref="CreateDefault"/>).</summary>
    public OperationRegistry()
    {
    }

    /// <summary>Every registered operation, in registration order.</summary>
    public IReadOnlyList<OperationDescriptor> Operations
    {
        get
        {
            lock (_gate)
            {
                return _operations.ToArray();
            }
        }
    }

    /// <summary>Creates a registry holding every built-in command (<see cref="CommandKinds"/>) and query (<see cref="QueryKinds"/>) of the library.</summary>
    /// <returns>A new registry, to which user operations can be added.</returns>
    public static OperationRegistry CreateDefault()
    {
        var registry = new OperationRegistry();
        foreach (var entry in s_builtIn.Value._operations)
        {
            registry.Add(s_builtIn.Value._byKind[entry.Kind]);
        }

        return registry;
    }

    /// <summary>Registers a command type under its stable kind, with the JSON contract the outbox stores it with.</summary>
    /// <typeparam name="TCommand">The command type; its <see cref="AdapterCommand.Kind"/> must return <paramref name="kind"/>.</typeparam>
    /// <param name="kind">The stable kind, <c>&lt;system&gt;.&lt;verb-object&gt;</c> in lower case, such as <c>lims.record-sample</c>. Never rename it once commands are stored.</param>
    /// <param name="typeInfo">The JSON contract, such as one from a source-generated <see cref="System.Text.Json.Serialization.JsonSerializerContext"/>.</param>
    /// <returns>This registry.</returns>
    /// <exception cref="ArgumentException">The kind is malformed, or already registered for another type, or the type under another kind.</exception>
    public OperationRegistry AddCommand<TCommand>(string kind, JsonTypeInfo<TCommand> typeInfo)
        where TCommand : AdapterCommand
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        ValidateKind(kind);
        Add(new Entry
        {
            Descriptor = new OperationDescriptor { Kind = kind, Type = OperationType.Command, RequestType = typeof(TCommand), HandlerType = typeof(ICommandHandler<TCommand>) },
            TypeInfo = typeInfo,
            Handles = static adapter => adapter is ICommandHandler<TCommand>,
            Execute = static (adapter, command, ct) => ((ICommandHandler<TCommand>)adapter).ExecuteAsync((TCommand)command, ct),
        });
        return this;
    }

    /// <summary>Registers a query type under its stable kind.</summary>
    /// <typeparam name="TQuery">The query type.</typeparam>
    /// <typeparam name="TResult">What it returns.</typeparam>
    /// <param name="kind">The stable kind, <c>&lt;system&gt;.&lt;verb-object&gt;</c> in lower case, such as <c>lims.get-sample</c>.</param>
    /// <returns>This registry.</returns>
    /// <exception cref="ArgumentException">The kind is malformed, or already registered for another type, or the type under another kind.</exception>
    public OperationRegistry AddQuery<TQuery, TResult>(string kind)
        where TQuery : AdapterQuery<TResult>
    {
        ValidateKind(kind);
        Add(new Entry
        {
            Descriptor = new OperationDescriptor { Kind = kind, Type = OperationType.Query, RequestType = typeof(TQuery), HandlerType = typeof(IQueryHandler<TQuery, TResult>) },
            Handles = static adapter => adapter is IQueryHandler<TQuery, TResult>,
            Query = (Func<IAdapter, AdapterQuery<TResult>, CancellationToken, ValueTask<TResult>>)(static (adapter, query, ct) => ((IQueryHandler<TQuery, TResult>)adapter).QueryAsync((TQuery)query, ct)),
        });
        return this;
    }

    /// <summary>Finds an operation by its kind.</summary>
    /// <param name="kind">The command or query kind.</param>
    /// <param name="operation">The operation, when registered.</param>
    /// <returns><see langword="true"/> when the kind is registered.</returns>
    public bool TryGet(string kind, [NotNullWhen(true)] out OperationDescriptor? operation)
    {
        ArgumentNullException.ThrowIfNull(kind);
        operation = _byKind.TryGetValue(kind, out var entry) ? entry.Descriptor : null;
        return operation is not null;
    }

    /// <summary>Finds the operation of a command or query type.</summary>
    /// <param name="requestType">The command or query type.</param>
    /// <param name="operation">The operation, when registered.</param>
    /// <returns><see langword="true"/> when the type is registered.</returns>
    public bool TryGet(Type requestType, [NotNullWhen(true)] out OperationDescriptor? operation)
    {
        ArgumentNullException.ThrowIfNull(requestType);
        operation = _byType.TryGetValue(requestType, out var entry) ? entry.Descriptor : null;
        return operation is not null;
    }

    /// <summary>Whether an adapter carries out an operation: it implements the handler interface and, when it is an <see cref="IOperationSupport"/>, says it supports the kind.</summary>
    /// <param name="kind">The operation kind.</param>
    /// <param name="adapter">The adapter.</param>
    /// <returns><see langword="true"/> when the adapter supports it; <see langword="false"/> for an unregistered kind.</returns>
    public bool IsSupportedBy(string kind, IAdapter adapter)
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(adapter);
        return _byKind.TryGetValue(kind, out var entry) && Supports(entry, adapter);
    }

    /// <summary>Writes a command as the UTF-8 JSON its registered contract defines (its kind is not part of it: keep <see cref="AdapterCommand.Kind"/> beside it).</summary>
    /// <param name="command">The command.</param>
    /// <returns>The UTF-8 JSON.</returns>
    /// <exception cref="ManufacturingOrchestrationException">The command's type is not registered, or under another kind (<see cref="ReasonCodes.UnknownCommandKind"/>).</exception>
    public byte[] Serialize(AdapterCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var entry = CommandEntry(command);
        return JsonSerializer.SerializeToUtf8Bytes(command, entry.TypeInfo!);
    }

    /// <summary>Reads a command back from its kind and UTF-8 JSON.</summary>
    /// <param name="kind">The kind stored beside the JSON.</param>
    /// <param name="utf8Json">The JSON.</param>
    /// <returns>The command.</returns>
    /// <exception cref="ManufacturingOrchestrationException">The kind is not a registered command (<see cref="ReasonCodes.UnknownCommandKind"/>).</exception>
    /// <exception cref="JsonException">The JSON does not describe a valid command of that kind.</exception>
    public AdapterCommand Deserialize(string kind, ReadOnlySpan<byte> utf8Json)
    {
        ArgumentNullException.ThrowIfNull(kind);
        if (!_byKind.TryGetValue(kind, out var entry) || entry.TypeInfo is null)
        {
            throw new ManufacturingOrchestrationException(ReasonCodes.UnknownCommandKind, $"The command kind '{kind}' is not registered: register its type with {nameof(OperationRegistry)}.{nameof(AddCommand)} (a stored command of a kind no longer registered cannot be executed).");
        }

        return (AdapterCommand?)JsonSerializer.Deserialize(utf8Json, entry.TypeInfo)
            ?? throw new JsonException($"The payload of a '{kind}' command is null.");
    }

    internal Entry? FindEntry(Type requestType) => _byType.TryGetValue(requestType, out var entry) ? entry : null;

    internal Entry? FindEntry(string kind) => _byKind.TryGetValue(kind, out var entry) ? entry : null;

    internal static bool Supports(Entry entry, IAdapter adapter) =>
        entry.Handles(adapter) && (adapter is not IOperationSupport selective || selective.Supports(entry.Descriptor.Kind));

    private Entry CommandEntry(AdapterCommand command)
    {
        if (_byType.TryGetValue(command.GetType(), out var entry) && entry.TypeInfo is not null && string.Equals(entry.Descriptor.Kind, command.Kind, StringComparison.Ordinal))
        {
            return entry;
        }

        throw new ManufacturingOrchestrationException(ReasonCodes.UnknownCommandKind, entry is null
            ? $"The command type {command.GetType().Name} ('{command.Kind}') is not registered: register it with {nameof(OperationRegistry)}.{nameof(AddCommand)}."
            : $"The command type {command.GetType().Name} says its kind is '{command.Kind}' but is registered as '{entry.Descriptor.Kind}'.");
    }

    private void Add(Entry entry)
    {
        var descriptor = entry.Descriptor;
        lock (_gate)
        {
            if (_byKind.TryGetValue(descriptor.Kind, out var existing))
            {
                if (existing.Descriptor.RequestType == descriptor.RequestType)
                {
                    return;
                }

                throw new ArgumentException($"The operation kind '{descriptor.Kind}' is already registered for {existing.Descriptor.RequestType.Name}; {descriptor.RequestType.Name} needs a kind of its own.", "kind");
            }

            if (_byType.TryGetValue(descriptor.RequestType, out var registered))
            {
                throw new ArgumentException($"The type {descriptor.RequestType.Name} is already registered as '{registered.Descriptor.Kind}'; one type has one kind.", "kind");
            }

            _byKind[descriptor.Kind] = entry;
            _byType[descriptor.RequestType] = entry;
            _operations.Add(descriptor);
        }
    }

    private static void ValidateKind(string kind)
    {
        ArgumentException.ThrowIfNullOrEmpty(kind);
        var dot = kind.IndexOf('.', StringComparison.Ordinal);
        var valid = dot > 0 && kind[^1] != '.' && kind.Length <= 128;
        for (var i = 0; valid && i < kind.Length; i++)
        {
            var c = kind[i];
            valid = c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' || (c == '.' && i >= dot && kind[i - 1] != '.');
        }

        if (!valid)
        {
            throw new ArgumentException($"The operation kind '{kind}' is not '<system>.<verb-object>' in lower-case letters, digits and hyphens (such as 'lims.record-sample'; at most 128 characters).", nameof(kind));
        }
    }

    private static OperationRegistry BuildDefault()
    {
        var context = AdapterJsonContext.Default;
        return new OperationRegistry()
            .AddCommand(CommandKinds.ErpChangeStockCategory, context.ChangeStockCategoryRequest)
            .AddCommand(CommandKinds.ErpPostGoodsMovement, context.PostGoodsMovementRequest)
            .AddCommand(CommandKinds.ErpReverseGoodsMovement, context.ReverseGoodsMovementRequest)
            .AddCommand(CommandKinds.ErpSetBatchStatus, context.SetBatchStatusRequest)
            .AddCommand(CommandKinds.ErpReevaluateAllocations, context.ReevaluateAllocationsRequest)
            .AddCommand(CommandKinds.ErpUpdateAtp, context.UpdateAtpRequest)
            .AddCommand(CommandKinds.ErpPlaceShipmentHold, context.PlaceShipmentHoldRequest)
            .AddCommand(CommandKinds.ErpReleaseShipmentHold, context.ReleaseShipmentHoldRequest)
            .AddCommand(CommandKinds.ErpPostCountAdjustment, context.PostCountAdjustmentRequest)
            .AddCommand(CommandKinds.ErpPostProductionConfirmation, context.PostProductionConfirmationRequest)
            .AddCommand(CommandKinds.ErpConfirmScrapDestruction, context.ConfirmScrapDestructionRequest)
            .AddCommand(CommandKinds.ErpCreateQuarantineOrder, context.CreateQuarantineOrderRequest)
            .AddCommand(CommandKinds.ErpChangeQuarantineOrder, context.ChangeQuarantineOrderRequest)
            .AddCommand(CommandKinds.MesHoldWorkOrder, context.HoldWorkOrderRequest)
            .AddCommand(CommandKinds.MesReleaseWorkOrder, context.ReleaseWorkOrderRequest)
            .AddCommand(CommandKinds.MesRequestContainmentCheck, context.RequestContainmentCheckRequest)
            .AddCommand(CommandKinds.MesRecordProductionConfirmation, context.RecordProductionConfirmationRequest)
            .AddCommand(CommandKinds.QmsCreateInspectionLot, context.CreateInspectionLotRequest)
            .AddCommand(CommandKinds.QmsOpenNonconformance, context.OpenNonconformanceRequest)
            .AddCommand(CommandKinds.QmsUpdateNonconformanceStatus, context.UpdateNonconformanceStatusRequest)
            .AddCommand(CommandKinds.QmsRecordCorrection, context.RecordCorrectionRequest)
            .AddCommand(CommandKinds.QmsRecordDisposition, context.RecordDispositionRequest)
            .AddCommand(CommandKinds.QmsOpenSupplierCase, context.OpenSupplierCaseRequest)
            .AddCommand(CommandKinds.WmsCreateMoveTask, context.CreateMoveTaskRequest)
            .AddCommand(CommandKinds.WmsPlaceHold, context.PlaceHoldRequest)
            .AddCommand(CommandKinds.WmsReleaseHold, context.ReleaseHoldRequest)
            .AddCommand(CommandKinds.WmsPausePicks, context.PausePicksRequest)
            .AddCommand(CommandKinds.WmsResumePicks, context.ResumePicksRequest)
            .AddCommand(CommandKinds.ProcurementRequestAlternateSupply, context.RequestAlternateSupplyRequest)
            .AddCommand(CommandKinds.ProcurementNotifySupplier, context.NotifySupplierRequest)
            .AddCommand(CommandKinds.NotificationSend, context.SendNotificationRequest)
            .AddCommand(CommandKinds.TraceabilityPublishGenealogy, context.PublishGenealogyRequest)
            .AddQuery<GetLotQuery, MaterialLot?>(QueryKinds.ErpGetLot)
            .AddQuery<GetMaterialQuery, MaterialDefinition?>(QueryKinds.ErpGetMaterial)
            .AddQuery<GetOpenAllocationsQuery, IReadOnlyList<Allocation>>(QueryKinds.ErpGetOpenAllocations)
            .AddQuery<GetErpStockQuery, LotStockSnapshot?>(QueryKinds.ErpGetStock)
            .AddQuery<GetProductionOrderQuery, ProductionOrder?>(QueryKinds.ErpGetProductionOrder)
            .AddQuery<GetConsumersQuery, IReadOnlyList<GenealogyLink>>(QueryKinds.MesGetConsumers)
            .AddQuery<GetComponentsQuery, IReadOnlyList<GenealogyLink>>(QueryKinds.MesGetComponents)
            .AddQuery<TraceForwardQuery, GenealogyTrace>(QueryKinds.MesTraceForward)
            .AddQuery<TraceBackwardQuery, GenealogyTrace>(QueryKinds.MesTraceBackward)
            .AddQuery<GetWorkOrderQuery, ProductionOrder?>(QueryKinds.MesGetWorkOrder)
            .AddQuery<GetInspectionLotQuery, InspectionLot?>(QueryKinds.QmsGetInspectionLot)
            .AddQuery<GetNonconformanceQuery, Nonconformance?>(QueryKinds.QmsGetNonconformance)
            .AddQuery<GetSupplierQualityHistoryQuery, SupplierQualityHistory?>(QueryKinds.QmsGetSupplierQualityHistory)
            .AddQuery<GetCertificatesOfAnalysisQuery, IReadOnlyList<CertificateOfAnalysis>>(QueryKinds.QmsGetCertificatesOfAnalysis)
            .AddQuery<GetWmsStockQuery, WmsStock?>(QueryKinds.WmsGetStock);
    }

    /// <summary>A registered operation with what the registry needs to serialize and dispatch it.</summary>
    internal sealed class Entry
    {
        public required OperationDescriptor Descriptor
        {
            get;
            init
            {
                field = value;
                System = value.System;
            }
        }

        /// <summary>The descriptor's target system, taken once (the descriptor computes it from the kind on each read).</summary>
        public string System { get; private init; } = string.Empty;

        public JsonTypeInfo? TypeInfo { get; init; }

        public required Func<IAdapter, bool> Handles { get; init; }

        public Func<IAdapter, AdapterCommand, CancellationToken, ValueTask<AdapterResult>>? Execute { get; init; }

        /// <summary>For a query: a <c>Func&lt;IAdapter, AdapterQuery&lt;TResult&gt;, CancellationToken, ValueTask&lt;TResult&gt;&gt;</c>.</summary>
        public Delegate? Query { get; init; }
    }
}
