using System.Text.Json.Serialization;
using ManufacturingOrchestration.Model.Serialization;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Adapters;

/// <summary>
/// Create a move task: move a lot's stock (all of it, or a quantity; of every category, or of one) from its bins to a
/// target bin, such as the site's hold location. A hold move names the decided quantity and the category it is taken
/// from, so stock nobody decided on stays where it is.
/// </summary>
public sealed record CreateMoveTaskRequest : AdapterCommand
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string Kind => CommandKinds.WmsCreateMoveTask;

    /// <summary>The lot.</summary>
    public required LotId Lot { get; init; }

    /// <summary>The site.</summary>
    public required SiteId Site { get; init; }

    /// <summary>The target bin, such as the hold location.</summary>
    [OperatorCorrectable]
    public required BinId ToBin { get; init; }

    /// <summary>The source bin, or <see langword="null"/> for every bin holding the lot.</summary>
    [OperatorCorrectable]
    public BinId? FromBin { get; init; }

    /// <summary>The quantity, or <see langword="null"/> for all of the lot's stock in the source bins.</summary>
    public Quantity? Quantity { get; init; }

    /// <summary>The stock category the stock is taken from, or <see langword="null"/> for every category.</summary>
    public StockCategory? SourceCategory { get; init; }

    /// <summary>The stock category the moved stock has on arrival, when the move changes it (e.g. blocked in a hold location).</summary>
    public StockCategory? TargetCategory { get; init; }

    /// <summary>Why, such as <c>qm.quarantine</c>.</summary>
    public ReasonCode? ReasonCode { get; init; }
}

/// <summary>What a WMS hold applies to.</summary>
[JsonConverter(typeof(CamelCaseEnumConverter<WmsHoldScope>))]
public enum WmsHoldScope
{
    /// <summary>A lot, in every bin.</summary>
    Lot = 0,

    /// <summary>A location (bin): nothing is picked from it while held.</summary>
    Location = 1,
}

/// <summary>Place a hold on a lot or a location: the WMS refuses picks from held stock.</summary>
public sealed record PlaceHoldRequest : AdapterCommand
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string Kind => CommandKinds.WmsPlaceHold;

    /// <summary>What the hold applies to.</summary>
    public required WmsHoldScope Scope { get; init; }

    /// <summary>The site.</summary>
    public required SiteId Site { get; init; }

    /// <summary>The lot, when <see cref="Scope"/> is <see cref="WmsHoldScope.Lot"/>.</summary>
    public LotId? Lot { get; init; }

    /// <summary>The bin, when <see cref="Scope"/> is <see cref="WmsHoldScope.Location"/>.</summary>
    public BinId? Bin { get; init; }

    /// <summary>Why.</summary>
    public ReasonCode? ReasonCode { get; init; }
}

/// <summary>Release a hold placed with <see cref="PlaceHoldRequest"/>.</summary>
public sealed record ReleaseHoldRequest : AdapterCommand
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string Kind => CommandKinds.WmsReleaseHold;

    /// <summary>What the hold applies to.</summary>
    public required WmsHoldScope Scope { get; init; }

    /// <summary>The site.</summary>
    public required SiteId Site { get; init; }

    /// <summary>The lot, when <see cref="Scope"/> is <see cref="WmsHoldScope.Lot"/>.</summary>
    public LotId? Lot { get; init; }

    /// <summary>The bin, when <see cref="Scope"/> is <see cref="WmsHoldScope.Location"/>.</summary>
    public BinId? Bin { get; init; }
}

/// <summary>Pause the open and future picks of a lot (e.g. during a count investigation); they stay paused until resumed.</summary>
public sealed record PausePicksRequest : AdapterCommand
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string Kind => CommandKinds.WmsPausePicks;

    /// <summary>The lot.</summary>
    public required LotId Lot { get; init; }

    /// <summary>The site.</summary>
    public required SiteId Site { get; init; }

    /// <summary>Why.</summary>
    public ReasonCode? ReasonCode { get; init; }
}

/// <summary>Resume the picks of a lot paused with <see cref="PausePicksRequest"/>.</summary>
public sealed record ResumePicksRequest : AdapterCommand
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string Kind => CommandKinds.WmsResumePicks;

    /// <summary>The lot.</summary>
    public required LotId Lot { get; init; }

    /// <summary>The site.</summary>
    public required SiteId Site { get; init; }
}
