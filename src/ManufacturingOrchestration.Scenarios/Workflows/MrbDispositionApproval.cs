using System.Text.Json;
using System.Text.Json.Serialization;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Rules;

namespace ManufacturingOrchestration.Scenarios;

/// <summary>
/// A gated MRB disposition line kept with its pending approval: what to carry out once every approver in the rules'
/// approval chain has signed, the approvals still to ask for (outermost first), and what is needed to tell whether the
/// NCR's disposition is then fully executed.
/// </summary>
internal sealed record GatedDisposition
{
    public required NonconformanceId Nonconformance { get; init; }

    public required SiteId Site { get; init; }

    public required MrbDisposition Disposition { get; init; }

    public required LotId Lot { get; init; }

    public required Quantity Quantity { get; init; }

    public StockCategory FromCategory { get; init; } = StockCategory.Blocked;

    public string? Justification { get; init; }

    public ActorId? Authorizer { get; init; }

    /// <summary>Who recorded the MRB decision: never allowed to sign any approval of the chain.</summary>
    public ActorId? DecidedBy { get; init; }

    /// <summary>Who signed the approvals of the chain already given: none of them may sign a later one.</summary>
    public IReadOnlyList<ActorId> PriorSigners { get; init; } = [];

    /// <summary>The approvals still to ask for after the one this payload waits on, outermost first.</summary>
    public IReadOnlyList<ApprovalLink> Remaining { get; init; } = [];

    /// <summary>The MRB event that decided the disposition (source and id).</summary>
    public required string DecidedEvent { get; init; }

    /// <summary>How many of the event's lines wait for an approval.</summary>
    public int GatedLines { get; init; } = 1;

    /// <summary>Whether every line of the event that needed no approval was carried out when it was handled.</summary>
    public bool OthersExecuted { get; init; }

    /// <summary>The partition value that counts the event's gated lines carried out so far.</summary>
    [JsonIgnore]
    public string ExecutedCounterKey => "mrb.gated-executed|" + DecidedEvent;

    /// <summary>The gate the two-person rule is configured for: the gated decision's type.</summary>
    [JsonIgnore]
    public string Gate => GateOf(Disposition);

    public static string GateOf(MrbDisposition disposition) => disposition switch
    {
        MrbDisposition.UseAsIs => nameof(UseLotAsIs),
        MrbDisposition.Scrap => nameof(ScrapLot),
        _ => nameof(ReworkLot),
    };

    /// <summary>The gated action as the rules decided it.</summary>
    public Decision ToDecision() => Disposition switch
    {
        MrbDisposition.UseAsIs => new UseLotAsIs
        {
            Lot = Lot,
            Site = Site,
            Nonconformance = Nonconformance,
            Quantity = Quantity,
            Justification = Justification ?? string.Empty,
            Authorizer = Authorizer ?? DecidedBy ?? new ActorId("unknown"),
        },
        MrbDisposition.Scrap => new ScrapLot { Lot = Lot, Site = Site, Quantity = Quantity, FromCategory = FromCategory, Nonconformance = Nonconformance },
        _ => new ReworkLot { Lot = Lot, Site = Site, Nonconformance = Nonconformance, Quantity = Quantity, IsRepair = Disposition == MrbDisposition.Repair },
    };

    /// <summary>Reads the gated line of a supported action, or <see langword="null"/> for any other action.</summary>
    public static GatedDisposition? From(Decision action, MrbDispositionDecided decided, IReadOnlyList<ApprovalLink> remaining, string decidedEvent)
    {
        var (disposition, lot, quantity, from) = action switch
        {
            UseLotAsIs u => (MrbDisposition.UseAsIs, u.Lot, u.Quantity, StockCategory.Blocked),
            ScrapLot s => (MrbDisposition.Scrap, s.Lot, s.Quantity, s.FromCategory),
            ReworkLot r => (r.IsRepair ? MrbDisposition.Repair : MrbDisposition.Rework, r.Lot, r.Quantity, StockCategory.Blocked),
            _ => (default(MrbDisposition?), default(LotId), default(Quantity), StockCategory.Blocked),
        };
        if (disposition is not { } kind)
        {
            return null;
        }

        var line = decided.Lines.FirstOrDefault(l => l.Disposition == kind && l.Lot == lot && l.Quantity == quantity);
        var useAsIs = action as UseLotAsIs;
        return new GatedDisposition
        {
            Nonconformance = decided.Nonconformance,
            Site = decided.Site,
            Disposition = kind,
            Lot = lot,
            Quantity = quantity,
            FromCategory = from,
            Justification = useAsIs?.Justification ?? line?.Justification,
            Authorizer = useAsIs?.Authorizer ?? line?.Authorizer,
            DecidedBy = decided.DecidedBy,
            Remaining = remaining,
            DecidedEvent = decidedEvent,
        };
    }

    public static GatedDisposition Read(string? json) =>
        JsonSerializer.Deserialize(json ?? "null", MrbDispositionJsonContext.Default.GatedDisposition) ?? throw new JsonException("The approval carries no MRB disposition.");

    public string Write() => JsonSerializer.Serialize(this, MrbDispositionJsonContext.Default.GatedDisposition);
}

/// <summary>One approval of the rules' chain: the role that signs, where, and why it is required.</summary>
internal sealed record ApprovalLink
{
    public required Role Role { get; init; }

    public required SiteId Site { get; init; }

    public required string ReasonCode { get; init; }

    [JsonIgnore]
    public ReasonCode Reason => ReasonCodes.TryFind(ReasonCode, out var code) ? code : ReasonCodes.ApprovalRequired;

    /// <summary>The chain of a <see cref="RequireApproval"/>, outermost first (a policy approval wrapping the design authority's).</summary>
    public static IReadOnlyList<ApprovalLink> ChainOf(RequireApproval approval, SiteId site)
    {
        var chain = new List<ApprovalLink>(2);
        Decision current = approval;
        while (current is RequireApproval link)
        {
            chain.Add(new ApprovalLink { Role = link.Role, Site = link.Site ?? site, ReasonCode = link.Reason.Code });
            current = link.Gated;
        }

        return chain;
    }
}

/// <summary>JSON of the MRB disposition workflow's pending-approval payloads.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(GatedDisposition))]
internal sealed partial class MrbDispositionJsonContext : JsonSerializerContext;
