using ManufacturingOrchestration.Model;
using Stateless.Reflection;

namespace ManufacturingOrchestration.StateMachines;

/// <summary>What happens to a nonconformance report.</summary>
public enum NonconformanceTrigger
{
    /// <summary>Quality starts reviewing a new NC.</summary>
    StartReview = 0,

    /// <summary>The NC is approved as a nonconformance.</summary>
    Approve = 1,

    /// <summary>The NC is refused (not a nonconformance).</summary>
    Refuse = 2,

    /// <summary>A correction (problem text, severity, quantity) to an approved NC.</summary>
    Correct = 3,

    /// <summary>The MRB decides the disposition lines.</summary>
    Disposition = 4,

    /// <summary>The disposition was carried out.</summary>
    ExecuteDisposition = 5,

    /// <summary>Close the NC.</summary>
    Close = 6,

    /// <summary>Reopen a closed or refused NC for review.</summary>
    Reopen = 7,
}

/// <summary>Arguments of a nonconformance trigger.</summary>
public sealed class NonconformanceTriggerArgs
{
    /// <summary>No arguments.</summary>
    public static NonconformanceTriggerArgs None { get; } = new();

    /// <summary>The disposition lines, for <see cref="NonconformanceTrigger.Disposition"/>.</summary>
    public IReadOnlyList<MrbDispositionLine> Lines { get; init; } = [];

    /// <summary>Further approvals given for the disposition (for example the design authority's), as signatures.</summary>
    public IReadOnlyList<ElectronicSignature> Approvals { get; init; } = [];

    /// <summary>
    /// The role allowed to authorize a deviation (use-as-is) by its signature, for <see cref="NonconformanceTrigger.Disposition"/>:
    /// the decision policy's deviation approver. Default <see cref="Role.QualityManager"/>.
    /// </summary>
    public Role DeviationApprover { get; init; } = Role.QualityManager;

    /// <summary>A corrected problem description, for <see cref="NonconformanceTrigger.Correct"/>.</summary>
    public string? Problem { get; init; }

    /// <summary>A corrected severity, for <see cref="NonconformanceTrigger.Correct"/>.</summary>
    public DefectSeverity? Severity { get; init; }

    /// <summary>A corrected nonconforming quantity, for <see cref="NonconformanceTrigger.Correct"/>.</summary>
    public Quantity? Quantity { get; init; }
}

/// <summary>
/// The nonconformance (NCR / MRB) machine: New → UnderReview → Approved or Refused → Dispositioned →
/// DispositionExecuted → Closed, with reopen (domain notes §4).
/// </summary>
/// <remarks>
/// <para>
/// Corrections only on an approved NC (Approved, Dispositioned, DispositionExecuted), else <c>ncr.not-approved</c>.
/// A disposition needs at least one line (<c>payload.required</c>); a use-as-is line needs a documented justification
/// (<c>ncr.justification-required</c>) and an identified authorizer (<c>ncr.authorizer-required</c>), and a signature on
/// it must authorize the concession — mean approve, in a role allowed to authorize deviations
/// (<see cref="ConcessionAuthority"/>, <c>ncr.signature-not-authorizing</c>); at an aerospace
/// site (<see cref="IndustryProfile.Aerospace"/>) use-as-is and repair lines also need an approving signature in the
/// <see cref="Role.DesignAuthority"/> role (<c>ncr.design-authority-required</c>). A dispositioned NC takes further
/// lines under the same rules, appended to those it has (a quantity whose first disposition was refused, decided again).
/// </para>
/// <para>
/// Threading: the transitions are defined once; a Stateless machine configured from that definition fires every
/// call, one machine per thread (built on the thread's first call, then reused). The state lives in the
/// <see cref="Nonconformance"/>. Safe to call concurrently. Rejections are results, never exceptions.
/// </para>
/// </remarks>
public static class NonconformanceMachine
{
    private static readonly TransitionTable<NonconformanceStatus, NonconformanceTrigger, NcrContext> Table = new(Define, ReasonWhenNotPermitted);

    /// <summary>Fires a trigger on a nonconformance.</summary>
    /// <param name="nonconformance">The NC as it is now.</param>
    /// <param name="trigger">The trigger.</param>
    /// <param name="args">The arguments; <see cref="NonconformanceTriggerArgs.None"/> when the trigger needs none.</param>
    /// <param name="site">The site profile, whose industry profile can require further approvals.</param>
    /// <returns>The new NC or a rejection.</returns>
    public static TransitionResult<Nonconformance> Fire(Nonconformance nonconformance, NonconformanceTrigger trigger, NonconformanceTriggerArgs args, SiteProfile site)
    {
        ArgumentNullException.ThrowIfNull(nonconformance);
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(site);

        var outcome = Table.Fire(nonconformance.Status, trigger, new NcrContext(nonconformance, args, site));
        if (outcome.Rejection is { } rejection)
        {
            return TransitionResult<Nonconformance>.Rejected(rejection);
        }

        var next = nonconformance with { Status = outcome.State };
        switch (trigger)
        {
            case NonconformanceTrigger.Disposition:
                next = next with { Dispositions = [.. nonconformance.Dispositions, .. args.Lines] };
                break;
            case NonconformanceTrigger.Correct:
                next = next with
                {
                    Problem = string.IsNullOrWhiteSpace(args.Problem) ? nonconformance.Problem : args.Problem,
                    Severity = args.Severity ?? nonconformance.Severity,
                    Quantity = args.Quantity ?? nonconformance.Quantity,
                };
                break;
        }

        return TransitionResult<Nonconformance>.Accepted(next);
    }

    /// <summary>
    /// Moves a nonconformance to a requested status by firing the trigger that leads there: <see cref="NonconformanceTrigger.StartReview"/>
    /// (New → UnderReview) or <see cref="NonconformanceTrigger.Reopen"/> (Refused or Closed → UnderReview),
    /// <see cref="NonconformanceTrigger.Approve"/>, <see cref="NonconformanceTrigger.Refuse"/>, <see cref="NonconformanceTrigger.Disposition"/>
    /// (without lines, so refused with <c>payload.required</c>: record the lines instead), <see cref="NonconformanceTrigger.ExecuteDisposition"/>
    /// and <see cref="NonconformanceTrigger.Close"/>. The machine's rules apply unchanged; no trigger leads back to New.
    /// </summary>
    /// <param name="nonconformance">The NC as it is now.</param>
    /// <param name="status">The requested status.</param>
    /// <param name="site">The site profile.</param>
    /// <returns>The new NC, or a rejection with the machine's reason code.</returns>
    public static TransitionResult<Nonconformance> MoveTo(Nonconformance nonconformance, NonconformanceStatus status, SiteProfile site)
    {
        ArgumentNullException.ThrowIfNull(nonconformance);
        NonconformanceTrigger? trigger = status switch
        {
            NonconformanceStatus.UnderReview when nonconformance.Status is NonconformanceStatus.Refused or NonconformanceStatus.Closed => NonconformanceTrigger.Reopen,
            NonconformanceStatus.UnderReview => NonconformanceTrigger.StartReview,
            NonconformanceStatus.Approved => NonconformanceTrigger.Approve,
            NonconformanceStatus.Refused => NonconformanceTrigger.Refuse,
            NonconformanceStatus.Dispositioned => NonconformanceTrigger.Disposition,
            NonconformanceStatus.DispositionExecuted => NonconformanceTrigger.ExecuteDisposition,
            NonconformanceStatus.Closed => NonconformanceTrigger.Close,
            _ => null,
        };
        if (trigger is not { } fire)
        {
            return TransitionResult<Nonconformance>.Rejected(new TransitionRejection(
                ReasonCodes.TransitionNotPermitted,
                $"Nonconformance {nonconformance.Id} cannot go from {nonconformance.Status} to {status}: no trigger leads there.",
                nonconformance.Status.ToString(),
                status.ToString(),
                []));
        }

        return Fire(nonconformance, fire, NonconformanceTriggerArgs.None, site);
    }

    /// <summary>Whether a disposition line has an approving design-authority signature (on the line or among <paramref name="approvals"/>).</summary>
    /// <param name="line">The line.</param>
    /// <param name="approvals">Further approvals.</param>
    /// <returns><see langword="true"/> when the design authority approved.</returns>
    public static bool HasDesignAuthorityApproval(MrbDispositionLine line, IReadOnlyList<ElectronicSignature> approvals)
    {
        ArgumentNullException.ThrowIfNull(line);
        ArgumentNullException.ThrowIfNull(approvals);
        if (IsDesignAuthorityApproval(line.Signature))
        {
            return true;
        }

        foreach (var approval in approvals)
        {
            if (IsDesignAuthorityApproval(approval))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The transition table as a Mermaid state diagram.</summary>
    /// <returns>The diagram text.</returns>
    public static string ToMermaid() => StateGraph.ToMermaid(GetInfo());

    /// <summary>The transition table as Graphviz DOT.</summary>
    /// <returns>The DOT text.</returns>
    public static string ToDot() => StateGraph.ToDot(GetInfo());

    internal static StateMachineInfo GetInfo() => Table.GetInfo(NonconformanceStatus.New);

    private static bool IsDesignAuthorityApproval(ElectronicSignature? signature) =>
        signature is { Meaning: SignatureMeaning.Approve } && signature.Role == Role.DesignAuthority;

    private static ReasonCode ReasonWhenNotPermitted(NonconformanceStatus state, NonconformanceTrigger trigger) => trigger switch
    {
        NonconformanceTrigger.Correct or NonconformanceTrigger.Disposition => ReasonCodes.NonconformanceNotApproved,
        _ => ReasonCodes.TransitionNotPermitted,
    };

    private static void Define(TransitionTable<NonconformanceStatus, NonconformanceTrigger, NcrContext> machine)
    {
        var hasLines = new TransitionGuard<NcrContext>(static c => c.Args.Lines.Count > 0, ReasonCodes.Required);
        // One rule for concessions, shared with the QMS simulator: ConcessionAuthority. Checked as three guards so each
        // refusal names its own reason, in the order ConcessionAuthority.Check reports them.
        var signatureAuthorizes = new TransitionGuard<NcrContext>(
            static c => c.Args.Lines.All(l => ConcessionAuthority.Check(l, c.Site, c.Args.DeviationApprover) != ReasonCodes.SignatureNotAuthorizing),
            ReasonCodes.SignatureNotAuthorizing);
        var justified = new TransitionGuard<NcrContext>(
            static c => c.Args.Lines.All(l => ConcessionAuthority.Check(l, c.Site, c.Args.DeviationApprover) != ReasonCodes.JustificationRequired),
            ReasonCodes.JustificationRequired);
        var authorized = new TransitionGuard<NcrContext>(
            static c => c.Args.Lines.All(l => ConcessionAuthority.Check(l, c.Site, c.Args.DeviationApprover) != ReasonCodes.AuthorizerRequired),
            ReasonCodes.AuthorizerRequired);
        var designAuthority = new TransitionGuard<NcrContext>(
            static c => !ConcessionAuthority.RequiresDesignAuthority(c.Site)
                || c.Args.Lines.All(l => l.Disposition is not (MrbDisposition.UseAsIs or MrbDisposition.Repair) || HasDesignAuthorityApproval(l, c.Args.Approvals)),
            ReasonCodes.DesignAuthorityRequired);

        machine.Configure(NonconformanceStatus.New)
            .Permit(NonconformanceTrigger.StartReview, NonconformanceStatus.UnderReview);

        machine.Configure(NonconformanceStatus.UnderReview)
            .Permit(NonconformanceTrigger.Approve, NonconformanceStatus.Approved)
            .Permit(NonconformanceTrigger.Refuse, NonconformanceStatus.Refused);

        machine.Configure(NonconformanceStatus.Approved)
            .InternalTransition(NonconformanceTrigger.Correct)
            .PermitIf(NonconformanceTrigger.Disposition, NonconformanceStatus.Dispositioned, hasLines, signatureAuthorizes, justified, authorized, designAuthority);

        machine.Configure(NonconformanceStatus.Refused)
            .Permit(NonconformanceTrigger.Close, NonconformanceStatus.Closed)
            .Permit(NonconformanceTrigger.Reopen, NonconformanceStatus.UnderReview);

        // Further lines on a dispositioned NC (a quantity whose first disposition was refused, decided again), under the
        // same rules as the first.
        machine.Configure(NonconformanceStatus.Dispositioned)
            .InternalTransition(NonconformanceTrigger.Correct)
            .InternalTransitionIf(NonconformanceTrigger.Disposition, hasLines, signatureAuthorizes, justified, authorized, designAuthority)
            .Permit(NonconformanceTrigger.ExecuteDisposition, NonconformanceStatus.DispositionExecuted);

        machine.Configure(NonconformanceStatus.DispositionExecuted)
            .InternalTransition(NonconformanceTrigger.Correct)
            .Permit(NonconformanceTrigger.Close, NonconformanceStatus.Closed);

        machine.Configure(NonconformanceStatus.Closed)
            .Permit(NonconformanceTrigger.Reopen, NonconformanceStatus.UnderReview);
    }
}

/// <summary>What the NC machine's guards see during one call.</summary>
internal sealed class NcrContext
{
    public NcrContext(Nonconformance nonconformance, NonconformanceTriggerArgs args, SiteProfile site)
    {
        Nonconformance = nonconformance;
        Args = args;
        Site = site;
    }

    public Nonconformance Nonconformance { get; }

    public NonconformanceTriggerArgs Args { get; }

    public SiteProfile Site { get; }
}
