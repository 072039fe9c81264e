using System.Text.Json.Serialization;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Adapters;

/// <summary>Hold a work order (containment): the MES refuses confirmations on it until it is released.</summary>
public sealed record HoldWorkOrderRequest : AdapterCommand
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string Kind => CommandKinds.MesHoldWorkOrder;

    /// <summary>The work order.</summary>
    public required OrderId Order { get; init; }

    /// <summary>The lot that caused the hold, when there is one.</summary>
    public LotId? Lot { get; init; }

    /// <summary>Why, such as <c>lot.on-hold</c>.</summary>
    public ReasonCode? ReasonCode { get; init; }
}

/// <summary>Release the hold on a work order: it returns to the status it had before the hold.</summary>
public sealed record ReleaseWorkOrderRequest : AdapterCommand
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string Kind => CommandKinds.MesReleaseWorkOrder;

    /// <summary>The work order.</summary>
    public required OrderId Order { get; init; }

    /// <summary>Why.</summary>
    public ReasonCode? ReasonCode { get; init; }
}

/// <summary>Ask the shop floor to check work orders that consumed a suspect lot (containment check).</summary>
public sealed record RequestContainmentCheckRequest : AdapterCommand
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string Kind => CommandKinds.MesRequestContainmentCheck;

    /// <summary>The suspect lot.</summary>
    public required LotId Lot { get; init; }

    /// <summary>The work orders to check.</summary>
    public required IReadOnlyList<OrderId> Orders { get; init; }

    /// <summary>What to check, for people.</summary>
    [OperatorCorrectable]
    public string? Instructions { get; init; }
}

/// <summary>Record a production confirmation (yield and scrap) on a work order in the MES.</summary>
public sealed record RecordProductionConfirmationRequest : AdapterCommand
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string Kind => CommandKinds.MesRecordProductionConfirmation;

    /// <summary>The work order.</summary>
    public required OrderId Order { get; init; }

    /// <summary>The confirmed yield.</summary>
    public required Quantity Yield { get; init; }

    /// <summary>The confirmed scrap, if any.</summary>
    public Quantity? Scrap { get; init; }

    /// <summary>Whether this is the final confirmation.</summary>
    public bool IsFinal { get; init; }

    /// <summary>Material consumed by this confirmation (becomes genealogy).</summary>
    public IReadOnlyList<MaterialActual> Consumed { get; init; } = [];

    /// <summary>The lot produced, when the yield goes to a lot.</summary>
    public LotId? ProducedLot { get; init; }
}
