using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Scenarios.Checks;

/// <summary>
/// The answer of a synchronous check such as "may 40 EA of lot X be goods-issued to order Y now?": allowed or not,
/// every reason it is not (reason code and message), notes for people, and the lot's quantities per stock category,
/// all as the orchestrator's state stood at <see cref="LotVersion"/>.
/// </summary>
public sealed class CheckResult
{
    /// <summary>What was checked: <see cref="OrchestrationChecks.GoodsIssueCheck"/> or <see cref="OrchestrationChecks.ShipCheck"/>.</summary>
    public required string Check { get; init; }

    /// <summary>The lot checked.</summary>
    public required LotId Lot { get; init; }

    /// <summary>Whether the action may go ahead now.</summary>
    public required bool Allowed { get; init; }

    /// <summary>Every reason the action may not go ahead; empty when <see cref="Allowed"/>.</summary>
    public IReadOnlyList<CheckReason> Reasons { get; init; } = [];

    /// <summary>Information that does not block, such as an order the orchestrator does not know.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>The lot's quantity per stock category (every ownership); empty when the lot is unknown.</summary>
    public IReadOnlyDictionary<StockCategory, Quantity> QuantitiesByCategory { get; init; } = new Dictionary<StockCategory, Quantity>();

    /// <summary>The quantity that can be withdrawn (unrestricted, own stock); <see langword="null"/> when the lot is unknown.</summary>
    public Quantity? UsableQuantity { get; init; }

    /// <summary>The quantity asked about, when one was given.</summary>
    public Quantity? RequestedQuantity { get; init; }

    /// <summary>The version of the orchestrator's lot the answer is based on; <see langword="null"/> when the lot is unknown.</summary>
    public long? LotVersion { get; init; }

    /// <summary>When the check ran (the orchestrator's clock).</summary>
    public required DateTimeOffset CheckedAt { get; init; }

    /// <summary>The reason codes of <see cref="Reasons"/>, in order.</summary>
    public IReadOnlyList<ReasonCode> ReasonCodes => Reasons.Select(r => r.Code).ToArray();

    /// <inheritdoc />
    public override string ToString() =>
        Allowed ? $"{Check} of lot {Lot}: allowed" : $"{Check} of lot {Lot}: refused ({string.Join(", ", Reasons.Select(r => r.Code))})";
}

/// <summary>One reason a check refused an action.</summary>
public sealed class CheckReason
{
    /// <summary>Creates a reason.</summary>
    /// <param name="code">The catalogued reason code.</param>
    /// <param name="message">A message for people.</param>
    public CheckReason(ReasonCode code, string message)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(message);
        Code = code;
        Message = message;
    }

    /// <summary>The catalogued reason code, such as <c>lot.on-hold</c>.</summary>
    public ReasonCode Code { get; }

    /// <summary>A message for people.</summary>
    public string Message { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Code}: {Message}";
}

/// <summary>What blocks a synchronous check besides the lot's stock. Defaults are documented per property.</summary>
public sealed class OrchestrationCheckOptions
{
    /// <summary>
    /// Whether a lot (or order) whose key is parked behind a dead letter is refused with <c>engine.partition-parked</c>:
    /// its later events wait, so its state may be behind the systems. Default <see langword="true"/>.
    /// </summary>
    public bool BlockWhileParked { get; init; } = true;

    /// <summary>
    /// Whether a lot that waits for an approval (a release, a disposition, a count adjustment) is refused with
    /// <c>approval.required</c> until a person decides. Default <see langword="true"/>.
    /// </summary>
    public bool BlockWhileApprovalPending { get; init; } = true;
}
