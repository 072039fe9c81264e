using System.Text.Json.Serialization;
using ManufacturingOrchestration.Model.Serialization;

namespace ManufacturingOrchestration.Model;

/// <summary>The kind of corrective action, which decides its stages (<see cref="CorrectiveActionStages.Of"/>).</summary>
[JsonConverter(typeof(CamelCaseEnumConverter<CorrectiveActionKind>))]
public enum CorrectiveActionKind
{
    /// <summary>Corrective and preventive action, with the stages of a Dynamics 365 CAPA case: Identify → Investigate → Plan → Implement → Verify → Closed.</summary>
    Capa = 0,

    /// <summary>8D problem solving: D0 … D8, then Closed.</summary>
    EightD = 1,

    /// <summary>Supplier corrective action request (SCAR): Issued → Containment → RootCause → CorrectiveAction → Verification → Closed.</summary>
    Scar = 2,
}

/// <summary>
/// The stage of a corrective action. One enum holds the stages of every kind, grouped by kind, so a case keeps one
/// <see cref="CorrectiveAction.Stage"/> whatever its kind; <see cref="CorrectiveActionStages.Of"/> gives the order of a
/// kind's stages. Stages move forward only, one at a time; <see cref="Closed"/> ends every kind.
/// </summary>
[JsonConverter(typeof(CamelCaseEnumConverter<CorrectiveActionStage>))]
public enum CorrectiveActionStage
{
    /// <summary>SCAR: the request was issued to the supplier.</summary>
    Issued = 0,

    /// <summary>SCAR: the supplier contains the suspect material.</summary>
    Containment = 1,

    /// <summary>SCAR: the supplier finds the root cause.</summary>
    RootCause = 2,

    /// <summary>SCAR: the supplier implements the corrective action.</summary>
    CorrectiveAction = 3,

    /// <summary>SCAR: the customer verifies the action's effectiveness.</summary>
    Verification = 4,

    /// <summary>Closed (every kind).</summary>
    Closed = 5,

    /// <summary>8D D0: prepare (emergency response actions).</summary>
    D0 = 10,

    /// <summary>8D D1: form the team.</summary>
    D1 = 11,

    /// <summary>8D D2: describe the problem.</summary>
    D2 = 12,

    /// <summary>8D D3: interim containment actions.</summary>
    D3 = 13,

    /// <summary>8D D4: root cause and escape point.</summary>
    D4 = 14,

    /// <summary>8D D5: choose and verify permanent corrective actions.</summary>
    D5 = 15,

    /// <summary>8D D6: implement and validate the permanent corrective actions.</summary>
    D6 = 16,

    /// <summary>8D D7: prevent recurrence.</summary>
    D7 = 17,

    /// <summary>8D D8: recognize the team.</summary>
    D8 = 18,

    /// <summary>CAPA (Dynamics 365 CAPA case): identify the problem.</summary>
    Identify = 20,

    /// <summary>CAPA (Dynamics 365 CAPA case): investigate the cause.</summary>
    Investigate = 21,

    /// <summary>CAPA (Dynamics 365 CAPA case): plan the actions.</summary>
    Plan = 22,

    /// <summary>CAPA (Dynamics 365 CAPA case): implement the actions.</summary>
    Implement = 23,

    /// <summary>CAPA (Dynamics 365 CAPA case): verify their effectiveness.</summary>
    Verify = 24,
}

/// <summary>The order of the stages of each kind of corrective action: the one place that says which stage follows which.</summary>
public static class CorrectiveActionStages
{
    private static readonly CorrectiveActionStage[] Capa =
    [
        CorrectiveActionStage.Identify, CorrectiveActionStage.Investigate, CorrectiveActionStage.Plan,
        CorrectiveActionStage.Implement, CorrectiveActionStage.Verify, CorrectiveActionStage.Closed,
    ];

    private static readonly CorrectiveActionStage[] EightD =
    [
        CorrectiveActionStage.D0, CorrectiveActionStage.D1, CorrectiveActionStage.D2, CorrectiveActionStage.D3, CorrectiveActionStage.D4,
        CorrectiveActionStage.D5, CorrectiveActionStage.D6, CorrectiveActionStage.D7, CorrectiveActionStage.D8, CorrectiveActionStage.Closed,
    ];

    private static readonly CorrectiveActionStage[] Scar =
    [
        CorrectiveActionStage.Issued, CorrectiveActionStage.Containment, CorrectiveActionStage.RootCause,
        CorrectiveActionStage.CorrectiveAction, CorrectiveActionStage.Verification, CorrectiveActionStage.Closed,
    ];

    /// <summary>The stages of a kind, first to <see cref="CorrectiveActionStage.Closed"/>.</summary>
    /// <param name="kind">The kind.</param>
    /// <returns>The stages in order.</returns>
    public static IReadOnlyList<CorrectiveActionStage> Of(CorrectiveActionKind kind) => kind switch
    {
        CorrectiveActionKind.Capa => Capa,
        CorrectiveActionKind.EightD => EightD,
        CorrectiveActionKind.Scar => Scar,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown corrective action kind."),
    };

    /// <summary>The stage a new case of a kind starts in.</summary>
    /// <param name="kind">The kind.</param>
    /// <returns>The first stage.</returns>
    public static CorrectiveActionStage First(CorrectiveActionKind kind) => Of(kind)[0];
}

/// <summary>One activity of a corrective action stage (a task in SAP, an activity in Dynamics 365).</summary>
public sealed record CorrectiveActionActivity
{
    /// <summary>The name, unique within its stage.</summary>
    public required string Name { get; init; }

    /// <summary>The stage the activity belongs to.</summary>
    public required CorrectiveActionStage Stage { get; init; }

    /// <summary>Whether it must be closed before the case advances past its stage.</summary>
    public bool IsMandatory { get; init; }

    /// <summary>Whether it is closed.</summary>
    public bool IsClosed { get; init; }

    /// <summary>Who closed it.</summary>
    public ActorId? ClosedBy { get; init; }
}

/// <summary>
/// A corrective action case: a CAPA, an 8D or a supplier corrective action request (SCAR). Its
/// <see cref="Stage"/> is one of the stages of its <see cref="Kind"/> (<see cref="CorrectiveActionStages.Of"/>).
/// </summary>
public sealed record CorrectiveAction
{
    /// <summary>The identifier.</summary>
    public required CorrectiveActionId Id { get; init; }

    /// <summary>The kind.</summary>
    public required CorrectiveActionKind Kind { get; init; }

    /// <summary>The stage; a new case starts in <see cref="CorrectiveActionStages.First"/> of its kind.</summary>
    public CorrectiveActionStage Stage { get; init; }

    /// <summary>The problem, for people.</summary>
    public string? Problem { get; init; }

    /// <summary>The supplier, for a SCAR.</summary>
    public SupplierId? Supplier { get; init; }

    /// <summary>The nonconformances that led to it.</summary>
    public IReadOnlyList<NonconformanceId> Nonconformances { get; init => field = value ?? []; } = [];

    /// <summary>The lots concerned.</summary>
    public IReadOnlyList<LotId> Lots { get; init => field = value ?? []; } = [];

    /// <summary>The activities of every stage reached so far.</summary>
    public IReadOnlyList<CorrectiveActionActivity> Activities { get; init => field = value ?? []; } = [];

    /// <summary>The version: one higher after every accepted change.</summary>
    public long Version { get; init; }
}
