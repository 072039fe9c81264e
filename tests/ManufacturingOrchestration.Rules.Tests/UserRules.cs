using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Rules.Standard;
using NRules.Fluent.Dsl;

namespace ManufacturingOrchestration.Rules.Tests;

// Rules a plant or user might write. They live in the test assembly, which the tests scan or list explicitly.

/// <summary>A user's rule that tries to release every failed lot directly (must never get through policy at a regulated site).</summary>
[Name("acme.release-anyway")]
public sealed class ReleaseAnywayRule : Rule
{
    public override void Define()
    {
        InspectionFailed failed = default!;
        When().Match(() => failed);
        Then().Do(ctx => ctx.Decide(new ReleaseLot { Lot = failed.Lot, Site = failed.Site }));
    }
}

/// <summary>A user's rule that wraps a release in an approval by the wrong role.</summary>
[Name("acme.release-with-operator-approval")]
public sealed class ReleaseWithOperatorApprovalRule : Rule
{
    public override void Define()
    {
        InspectionPassed passed = default!;
        When().Match(() => passed);
        Then().Do(ctx => ctx.Decide(new RequireApproval
        {
            Role = Role.Operator, Site = passed.Site, Reason = ReasonCodes.ApprovalRequired,
            Gated = new ReleaseLot { Lot = passed.Lot, Site = passed.Site },
        }));
    }
}

/// <summary>A user's rule that lets a recommendation release a lot.</summary>
[Name("acme.release-when-model-says-so")]
public sealed class ReleaseWhenModelSaysSoRule : Rule
{
    public override void Define()
    {
        InspectionFailed failed = default!;
        Recommendation recommendation = default!;
        When()
            .Match(() => failed)
            .Match(() => recommendation, r => r.Lot == failed.Lot, r => r.Confidence > 0.5m);
        Then().Do(ctx => ctx.Decide(new ReleaseLot { Lot = failed.Lot, Site = failed.Site }));
    }
}

/// <summary>A plant overlay rule replacing the global supplier-case rule: every failure opens a supplier case.</summary>
[Name(InspectionFailedSupplierCaseRule.RuleName)]
public sealed class PlantSupplierCaseForEveryFailureRule : Rule
{
    public override void Define()
    {
        InspectionFailed failed = default!;
        When().Match(() => failed, f => f.Supplier != null);
        Then().Do(ctx => ctx.Decide(new OpenSupplierCase
        {
            Supplier = failed.Supplier!.Value, Lot = failed.Lot, Material = failed.Material, Site = failed.Site, Severity = failed.Severity,
        }));
    }
}

/// <summary>A plant overlay rule adding a customer-specific notification.</summary>
[Name("plant-7.customer-quality-alert")]
public sealed class CustomerQualityAlertRule : Rule
{
    public override void Define()
    {
        InspectionFailed failed = default!;
        When().Match(() => failed);
        Then().Do(ctx => ctx.Decide(new AlertQuality { Site = failed.Site, Message = "Customer X requires notification within 24 h." }));
    }
}

/// <summary>A rule that fires but decides nothing (the fixture must still see it).</summary>
[Name("acme.observe-only")]
public sealed class ObserveOnlyRule : Rule
{
    public override void Define()
    {
        InspectionFailed failed = default!;
        When().Match(() => failed);
        Then().Do(ctx => Observe(failed));
    }

    public static int Observed { get; private set; }

    private static void Observe(InspectionFailed failed) => Observed += failed.Lot.Value.Length > 0 ? 1 : 0;
}

/// <summary>A rule whose action throws.</summary>
[Name("acme.broken")]
public sealed class BrokenRule : Rule
{
    public override void Define()
    {
        InspectionFailed failed = default!;
        When().Match(() => failed);
        Then().Do(ctx => Throw(failed));
    }

    private static void Throw(InspectionFailed failed) => throw new InvalidOperationException($"broken for {failed.Lot}");
}

/// <summary>A second rule with the name of an existing user rule.</summary>
[Name("acme.release-anyway")]
public sealed class DuplicateNameRule : Rule
{
    public override void Define()
    {
        InspectionFailed failed = default!;
        When().Match(() => failed);
        Then().Do(ctx => ctx.Decide(new AlertQuality { Site = failed.Site, Message = "duplicate" }));
    }
}

/// <summary>Inserts a recommendation into the session when the marker fact is present (makes a reused session dirty).</summary>
[Name("acme.insert-recommendation-on-marker")]
public sealed class InsertRecommendationOnMarkerRule : Rule
{
    public const string Marker = "insert-recommendation";

    public override void Define()
    {
        InspectionFailed failed = default!;
        string marker = default!;
        When()
            .Match(() => failed)
            .Match(() => marker, m => m == Marker);
        Then().Do(ctx => ctx.Insert(Create(failed)));
    }

    private static Recommendation Create(InspectionFailed failed) => new()
    {
        Kind = RecommendationKind.Other, Lot = failed.Lot, SuggestedAction = "release", Confidence = 0.9m, Model = "m", ModelVersion = "1",
    };
}

/// <summary>Throws when the marker fact is present.</summary>
[Name("acme.throw-on-marker")]
public sealed class ThrowOnMarkerRule : Rule
{
    public const string Marker = "throw";

    public override void Define()
    {
        InspectionFailed failed = default!;
        string marker = default!;
        When()
            .Match(() => failed)
            .Match(() => marker, m => m == Marker);
        Then().Do(ctx => Throw(failed));
    }

    private static void Throw(InspectionFailed failed) => throw new InvalidOperationException($"marker for {failed.Lot}");
}

/// <summary>Matches any event payload (the base type).</summary>
[Name("acme.any-event")]
public sealed class AnyEventRule : Rule
{
    public override void Define()
    {
        EventPayload payload = default!;
        When().Match(() => payload);
        Then().Do(ctx => ctx.Decide(new AlertQuality { Site = TestFacts.SiteId, Message = "event " + payload.EventType }));
    }
}

/// <summary>Matches a restricted lot, whatever the event.</summary>
[Name("acme.restricted-lot-watch")]
public sealed class RestrictedLotWatchRule : Rule
{
    public override void Define()
    {
        MaterialLot lot = default!;
        When().Match(() => lot, l => l.IsRestrictedBatch);
        Then().Do(ctx => ctx.Decide(new AlertQuality { Site = lot.Site, Message = "restricted lot " + lot.Id.Value }));
    }
}

/// <summary>Two user rules asking for the same action, so the engine merges them into one decision with two firings.</summary>
[Name("acme.reevaluate-on-pass")]
public sealed class ReevaluateOnPassRule : Rule
{
    public override void Define()
    {
        InspectionPassed passed = default!;
        When().Match(() => passed);
        Then().Do(ctx => ctx.Decide(new ReevaluateAllocations { Lot = passed.Lot, Site = passed.Site }));
    }
}

/// <summary>The second of the pair.</summary>
[Name("acme.reevaluate-on-pass-again")]
public sealed class ReevaluateOnPassAgainRule : Rule
{
    public override void Define()
    {
        InspectionPassed passed = default!;
        When().Match(() => passed);
        Then().Do(ctx => ctx.Decide(new ReevaluateAllocations { Lot = passed.Lot, Site = passed.Site }));
    }
}

/// <summary>The priorities two user rules give the same escalation (a test fact), so the tests control which instance wins.</summary>
public sealed record EscalationPriorities(DecisionPriority First, DecisionPriority Second);

/// <summary>The first of two rules escalating the same subject; it fires first.</summary>
[Name("acme.escalate-first")]
[Priority(10)]
public sealed class EscalateFirstRule : Rule
{
    public override void Define()
    {
        InspectionFailed failed = default!;
        EscalationPriorities priorities = default!;
        When().Match(() => failed).Match(() => priorities);
        Then().Do(ctx => ctx.Decide(new Escalate
        {
            Role = Role.QualityEngineer, Site = failed.Site, Subject = "lot " + failed.Lot.Value, Message = "first", Priority = priorities.First,
        }));
    }
}

/// <summary>The second of two rules escalating the same subject; it fires after the first.</summary>
[Name("acme.escalate-second")]
[Priority(5)]
public sealed class EscalateSecondRule : Rule
{
    public override void Define()
    {
        InspectionFailed failed = default!;
        EscalationPriorities priorities = default!;
        When().Match(() => failed).Match(() => priorities);
        Then().Do(ctx => ctx.Decide(new Escalate
        {
            Role = Role.QualityEngineer, Site = failed.Site, Subject = "lot " + failed.Lot.Value, Message = "second", Priority = priorities.Second,
        }));
    }
}

/// <summary>One rule firing once per recommendation, deciding one alert per firing.</summary>
[Name("acme.alert-per-recommendation")]
public sealed class AlertPerRecommendationRule : Rule
{
    public override void Define()
    {
        InspectionFailed failed = default!;
        Recommendation recommendation = default!;
        When().Match(() => failed).Match(() => recommendation);
        Then().Do(ctx => ctx.Decide(new AlertQuality { Site = failed.Site, Line = recommendation.Subject, Message = recommendation.SuggestedAction }));
    }
}

/// <summary>Cancels the evaluation's token (a test fact) from inside the firing cycle, before the other rules fire.</summary>
[Name("acme.cancel-while-firing")]
[Priority(1000)]
public sealed class CancelWhileFiringRule : Rule
{
    public override void Define()
    {
        InspectionFailed failed = default!;
        CancellationTokenSource cancellation = default!;
        When().Match(() => failed).Match(() => cancellation);
        Then().Do(ctx => Cancel(cancellation));
    }

    private static void Cancel(CancellationTokenSource cancellation) => cancellation.Cancel();
}

/// <summary>Throws an orchestration exception with its own reason code.</summary>
[Name("acme.lot-on-hold")]
public sealed class LotOnHoldRule : Rule
{
    public override void Define()
    {
        InspectionFailed failed = default!;
        When().Match(() => failed);
        Then().Do(ctx => Throw(failed));
    }

    private static void Throw(InspectionFailed failed) => throw new ManufacturingOrchestrationException(ReasonCodes.LotOnHold, $"Lot {failed.Lot} is on hold.");
}

/// <summary>Asks the engine for a service it does not provide.</summary>
[Name("acme.resolve-other-service")]
public sealed class ResolveOtherServiceRule : Rule
{
    public override void Define()
    {
        InspectionFailed failed = default!;
        When().Match(() => failed);
        Then().Do(ctx => ctx.Resolve(typeof(string)));
    }
}

/// <summary>Hands the engine no decision at all.</summary>
[Name("acme.decide-null")]
public sealed class DecideNullRule : Rule
{
    public override void Define()
    {
        InspectionFailed failed = default!;
        When().Match(() => failed);
        Then().Do(ctx => ctx.Decide(null!));
    }
}

/// <summary>A user's rule that wraps a release in an approval by the role the policy requires.</summary>
[Name("acme.release-with-qm-approval")]
public sealed class ReleaseWithQualityManagerApprovalRule : Rule
{
    public override void Define()
    {
        InspectionPassed passed = default!;
        When().Match(() => passed);
        Then().Do(ctx => ctx.Decide(new RequireApproval
        {
            Role = Role.QualityManager, Site = passed.Site, Reason = ReasonCodes.ApprovalRequired,
            Gated = new ReleaseLot { Lot = passed.Lot, Site = passed.Site, TargetCategory = StockCategory.RestrictedUse },
        }));
    }
}

/// <summary>A user's rule that scraps every MRB scrap line urgently.</summary>
[Name("acme.urgent-scrap")]
public sealed class UrgentScrapRule : Rule
{
    public override void Define()
    {
        MrbDispositionDecided decided = default!;
        When().Match(() => decided);
        Then().Do(ctx => ctx.Decide(new ScrapLot { Lot = decided.Lot, Site = decided.Site, Quantity = decided.Lines[0].Quantity, Priority = DecisionPriority.Urgent }));
    }
}

/// <summary>A rule whose definition fails (it cannot be loaded).</summary>
[Name("acme.undefinable")]
public sealed class UndefinableRule : Rule
{
    public override void Define() => throw new InvalidOperationException("no definition");
}

/// <summary>A nested evaluation (a test fact): the engine a rule calls again while it fires, and the facts it evaluates.</summary>
public sealed record NestedEvaluation(DecisionEngine Engine, FactSet Facts);

/// <summary>Evaluates other facts with the same engine from inside its action (a re-entrant call on the same thread).</summary>
[Name("acme.nested-evaluation")]
public sealed class NestedEvaluationRule : Rule
{
    public override void Define()
    {
        InspectionFailed failed = default!;
        NestedEvaluation nested = default!;
        When().Match(() => failed).Match(() => nested);
        Then().Do(ctx => Nest(ctx, failed, nested));
    }

    private static void Nest(NRules.RuleModel.IContext context, InspectionFailed failed, NestedEvaluation nested)
    {
        var inner = nested.Engine.Decide(nested.Facts);
        context.Decide(new AlertQuality { Site = failed.Site, Message = string.Join(" | ", inner.Decisions.Select(d => d.Describe())) });
    }
}

/// <summary>Watches the count tolerance profile on any failed inspection (a rule on a fact the cycle-count rules usually own).</summary>
[Name("acme.tolerance-watch")]
public sealed class ToleranceWatchRule : Rule
{
    public override void Define()
    {
        InspectionFailed failed = default!;
        CountToleranceProfile tolerances = default!;
        When().Match(() => failed).Match(() => tolerances);
        Then().Do(ctx => ctx.Decide(new AlertQuality { Site = failed.Site, Message = "tolerances known" }));
    }
}

/// <summary>Reads the event envelope.</summary>
[Name("acme.envelope-watch")]
public sealed class EnvelopeWatchRule : Rule
{
    public override void Define()
    {
        EventEnvelope envelope = default!;
        When().Match(() => envelope);
        Then().Do(ctx => ctx.Decide(new AlertQuality { Site = TestFacts.SiteId, Line = "envelope", Message = "envelope " + envelope.Id }));
    }
}

/// <summary>A user's own fact with numbers and a time in it (its text comes from the compiler's record ToString).</summary>
public sealed record GaugeReading(string Gauge, decimal Deviation, DateTimeOffset At);

/// <summary>A user's own decision whose text formats a number (with the caller's culture, unless the engine fixes it).</summary>
public sealed class RecalibrateGauge : Decision
{
    public required string Gauge { get; init; }

    public required decimal Deviation { get; init; }

    public override string Describe() => $"Recalibrate {Gauge} (deviation {Deviation} mm)";

    public override bool IsSameActionAs(Decision other) => other is RecalibrateGauge o && o.Gauge == Gauge;
}

/// <summary>Recalibrates the gauge of a failed inspection.</summary>
[Name("acme.recalibrate-gauge")]
[Description("A failed inspection with a gauge reading recalibrates the gauge.")]
public sealed class RecalibrateGaugeRule : Rule
{
    public override void Define()
    {
        InspectionFailed failed = default!;
        GaugeReading reading = default!;
        When().Match(() => failed).Match(() => reading);
        Then().Do(ctx => ctx.Decide(new RecalibrateGauge { Gauge = reading.Gauge, Deviation = reading.Deviation }));
    }
}

/// <summary>A rule whose condition throws on a reading it does not expect.</summary>
[Name("acme.gauge-limit")]
public sealed class GaugeLimitRule : Rule
{
    public override void Define()
    {
        InspectionFailed failed = default!;
        GaugeReading reading = default!;
        When().Match(() => failed).Match(() => reading, r => OverLimit(r));
        Then().Do(ctx => ctx.Decide(new RecalibrateGauge { Gauge = reading.Gauge, Deviation = reading.Deviation }));
    }

    public static bool OverLimit(GaugeReading reading) =>
        reading.Deviation < 0 ? throw new InvalidOperationException("a negative deviation") : reading.Deviation > 1;
}
