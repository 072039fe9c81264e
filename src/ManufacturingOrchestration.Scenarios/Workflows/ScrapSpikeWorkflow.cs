using System.Globalization;
using System.Text.Json;
using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Workflows;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Rules;

namespace ManufacturingOrchestration.Scenarios;

/// <summary>
/// Scenario 4: production scrap spike. Each <see cref="ScrapReported"/> of a line (partition <c>line/&lt;site&gt;/&lt;line&gt;</c>)
/// is added to a sliding window of scrap and good quantity kept in the partition's state
/// (<see cref="WindowValueName"/>); the rules compare the window with the line's baseline yield
/// (<see cref="ScenarioServices.ScrapSpike"/>). On a spike quality (quality engineer and manager) and maintenance are
/// alerted and the planner is asked to review replenishment — once per spike: while the window stays above the
/// threshold later reports do not alert again. Every report updates the line's yield metrics, kept in the partition
/// state (<see cref="YieldMetricsValueName"/>, read with <c>Orchestrator.GetPartitionAsync</c>) and in the audit trail.
/// </summary>
public static class ScrapSpikeWorkflow
{
    /// <summary>The workflow name.</summary>
    public const string Name = "scrap-spike";

    /// <summary>The partition value holding the window aggregate (JSON).</summary>
    public const string WindowValueName = "scrap-window";

    /// <summary>The partition value holding the latest yield metrics (JSON: yield, scrapRate, windowStart, windowEnd, baselineYield, updatedAt).</summary>
    public const string YieldMetricsValueName = "yield-metrics";

    /// <summary>Builds the workflow.</summary>
    /// <param name="services">The rules, sites and scrap-spike settings.</param>
    /// <returns>The definition (version 1).</returns>
    public static WorkflowDefinition Create(ScenarioServices services)
    {
        ArgumentNullException.ThrowIfNull(services);
        return new WorkflowBuilder(Name, 1)
            .Describe("Scrap report → window aggregate per line → spike against the baseline yield → alert quality and maintenance, update yield metrics, review replenishment.")
            .TriggeredBy(EventTypes.ScrapReported)
            .Requires(CommandKinds.NotificationSend)
            .Step("aggregate", WorkflowStepKind.Transition, ctx => Aggregate(services, ctx))
            .Step("decide", WorkflowStepKind.Decide, ctx => Decide(services, ctx))
            .Step("track-spike", WorkflowStepKind.Transition, TrackSpike)
            .OnDecision<UpdateYieldMetrics>("update-yield-metrics", UpdateMetrics)
            .OnDecision<AlertQuality>("alert-quality", AlertQuality)
            .OnDecision<AlertMaintenance>("alert-maintenance", AlertMaintenance)
            .OnDecision<ReviewReplenishment>("review-replenishment", ReviewReplenishment)
            .OnDecision<Escalate>("escalate", ScenarioCommands.Escalate)
            .OnDecision<RequireApproval>("require-approval", ScenarioCommands.RecordApprovalRequired)
            .Build();
    }

    private static void Aggregate(ScenarioServices services, StepContext ctx)
    {
        var scrap = ctx.Event.Data as ScrapReported ?? throw new InvalidOperationException($"{Name} does not handle {ctx.Event.Type}.");
        var settings = services.ScrapSpike;
        var unit = scrap.Quantity.Unit;
        if (scrap.GoodQuantity is { } good && good.Unit != unit)
        {
            ctx.Reject(ReasonCodes.UnitMismatch, $"Scrap is reported in {unit}, good quantity in {good.Unit}.", "window", []);
            return;
        }

        var window = Read(ctx.State) ?? new ScrapWindowState { Unit = unit };
        if (window.Unit != unit)
        {
            ctx.Reject(ReasonCodes.UnitMismatch, $"Line {scrap.Line} is aggregated in {window.Unit}; this report is in {unit}.", "window", []);
            return;
        }

        var at = ctx.Event.Time ?? ctx.Now;
        var end = window.WindowEnd is { } last && last > at ? last : at;
        var start = end - settings.Window;
        var buckets = new List<ScrapBucket>(window.Buckets.Count + 1);
        var bucketLength = settings.BucketLength;
        foreach (var bucket in window.Buckets)
        {
            if (bucket.Start + bucketLength > start)
            {
                buckets.Add(bucket);
            }
        }

        // A report from before the window is not counted, even when its bucket still reaches into the window: it would
        // add scrap older than the window to the rate the spike is judged on.
        if (at < start)
        {
            ctx.Audit("outside-window", string.Create(CultureInfo.InvariantCulture, $"Scrap reported for {at:O} is older than the window starting {start:O}; not counted."));
        }
        else
        {
            var bucketStart = new DateTimeOffset(at.UtcTicks - (at.UtcTicks % bucketLength.Ticks), TimeSpan.Zero);
            var index = buckets.FindIndex(b => b.Start == bucketStart);
            var added = new ScrapBucket { Start = bucketStart, Scrap = scrap.Quantity.Value, Good = scrap.GoodQuantity?.Value ?? 0 };
            if (index >= 0)
            {
                buckets[index] = buckets[index] with { Scrap = buckets[index].Scrap + added.Scrap, Good = buckets[index].Good + added.Good };
            }
            else
            {
                buckets.Add(added);
                buckets.Sort(static (a, b) => a.Start.CompareTo(b.Start));
            }
        }

        decimal scrapped = 0, produced = 0;
        foreach (var bucket in buckets)
        {
            scrapped += bucket.Scrap;
            produced += bucket.Good;
        }

        var updated = window with { Buckets = buckets, WindowEnd = end };
        ctx.State = ctx.State with { Values = With(ctx.State.Values, WindowValueName, JsonSerializer.Serialize(updated, ScenarioJsonContext.Default.ScrapWindowState)) };
        ctx.SetFact(ScenarioFactKeys.ScrapWindow, new ScrapWindow
        {
            Site = scrap.Site,
            Line = scrap.Line,
            Material = scrap.Material,
            WindowStart = start,
            WindowEnd = end,
            ScrapQuantity = scrapped,
            GoodQuantity = produced,
            BaselineYield = settings.BaselineFor(scrap.Site, scrap.Line),
            SpikeFactor = settings.SpikeFactor,
            MinimumQuantity = settings.MinimumQuantity,
        });
        if (ScenarioFacts.SiteOrReject(services, ctx, scrap.Site) is { } site)
        {
            ctx.SetFact(ScenarioFactKeys.Site, site);
        }
    }

    private static void Decide(ScenarioServices services, StepContext ctx)
    {
        var decisions = services.Rules.Decide(new FactSet
        {
            Envelope = ctx.Event,
            Site = ctx.GetFact(ScenarioFactKeys.Site),
            ScrapWindow = ctx.GetFact(ScenarioFactKeys.ScrapWindow),
        });
        ctx.AddDecisions(decisions.Decisions, decisions.Describe());
    }

    private static void TrackSpike(StepContext ctx)
    {
        var window = Read(ctx.State);
        var fact = ctx.GetFact(ScenarioFactKeys.ScrapWindow);
        if (window is null || fact is null)
        {
            return;
        }

        var spike = ctx.Decisions.OfType<AlertQuality>().Any() || ctx.Decisions.OfType<AlertMaintenance>().Any();
        var next = window;
        if (spike && window.SpikeSince is { } since)
        {
            ctx.SetFact(ScenarioFactKeys.SpikeAlreadyAlerted, true);
            ctx.Audit("spike-alert-suppressed", string.Create(CultureInfo.InvariantCulture, $"Line {fact.Line} is still above its threshold (scrap rate {fact.ScrapRate:P1}); quality, maintenance and planning were alerted at {since:O}."));
        }
        else if (spike)
        {
            next = window with { SpikeSince = fact.WindowEnd };
        }
        else if (window.SpikeSince is not null)
        {
            next = window with { SpikeSince = null };
            ctx.Audit("spike-cleared", string.Create(CultureInfo.InvariantCulture, $"Line {fact.Line} is back below its threshold (scrap rate {fact.ScrapRate:P1}, baseline scrap {fact.BaselineScrapRate:P1})."));
        }

        if (!ReferenceEquals(next, window))
        {
            ctx.State = ctx.State with { Values = With(ctx.State.Values, WindowValueName, JsonSerializer.Serialize(next, ScenarioJsonContext.Default.ScrapWindowState)) };
        }
    }

    private static void UpdateMetrics(UpdateYieldMetrics decision, StepContext ctx)
    {
        var baseline = ctx.GetFact(ScenarioFactKeys.ScrapWindow)?.BaselineYield;
        var metrics = new YieldMetrics
        {
            Site = decision.Site.Value,
            Line = decision.Line,
            Yield = decision.Yield,
            ScrapRate = decision.ScrapRate,
            BaselineYield = baseline,
            WindowStart = decision.WindowStart,
            WindowEnd = decision.WindowEnd,
            UpdatedAt = ctx.Now,
        };
        ctx.State = ctx.State with { Values = With(ctx.State.Values, YieldMetricsValueName, JsonSerializer.Serialize(metrics, ScenarioJsonContext.Default.YieldMetrics)) };
        ctx.Audit("yield-metrics-updated", decision.Describe());
    }

    private static void AlertQuality(AlertQuality decision, StepContext ctx)
    {
        if (ctx.GetFact(ScenarioFactKeys.SpikeAlreadyAlerted))
        {
            return;
        }

        ctx.Plan(CommandKinds.NotificationSend, c => new SendNotificationRequest
        {
            Context = c,
            Roles = [Role.QualityEngineer, Role.QualityManager],
            Site = decision.Site,
            Severity = NotificationSeverity.Alert,
            Subject = $"Scrap spike on line {decision.Line}",
            Body = decision.Message,
        });
    }

    private static void AlertMaintenance(AlertMaintenance decision, StepContext ctx)
    {
        if (ctx.GetFact(ScenarioFactKeys.SpikeAlreadyAlerted))
        {
            return;
        }

        ctx.Plan(CommandKinds.NotificationSend, c => new SendNotificationRequest
        {
            Context = c,
            Roles = [Role.Maintenance],
            Site = decision.Site,
            Severity = NotificationSeverity.Alert,
            Subject = $"Check line {decision.Line}: scrap spike",
            Body = decision.Message,
        });
    }

    private static void ReviewReplenishment(ReviewReplenishment decision, StepContext ctx)
    {
        if (ctx.GetFact(ScenarioFactKeys.SpikeAlreadyAlerted))
        {
            return;
        }

        ctx.Plan(CommandKinds.NotificationSend, c => new SendNotificationRequest
        {
            Context = c,
            Roles = [Role.Planner],
            Site = decision.Site,
            Severity = NotificationSeverity.Alert,
            Subject = $"Review replenishment of {decision.Material}",
            Body = decision.Reason,
        });
    }

    private static ScrapWindowState? Read(Engine.Storage.PartitionState state) =>
        state.Values.TryGetValue(WindowValueName, out var json) ? JsonSerializer.Deserialize(json, ScenarioJsonContext.Default.ScrapWindowState) : null;

    private static Dictionary<string, string> With(IReadOnlyDictionary<string, string> values, string name, string value) =>
        new(values, StringComparer.Ordinal) { [name] = value };
}

/// <summary>The scrap window of a line as kept in its partition state.</summary>
internal sealed record ScrapWindowState
{
    public required UnitOfMeasure Unit { get; init; }

    public DateTimeOffset? WindowEnd { get; init; }

    public DateTimeOffset? SpikeSince { get; init; }

    public IReadOnlyList<ScrapBucket> Buckets { get; init; } = [];
}

/// <summary>Scrap and good quantity reported in one bucket of the window.</summary>
internal sealed record ScrapBucket
{
    public required DateTimeOffset Start { get; init; }

    public required decimal Scrap { get; init; }

    public required decimal Good { get; init; }
}

/// <summary>The yield metrics of a line as published in its partition state.</summary>
internal sealed record YieldMetrics
{
    public required string Site { get; init; }

    public required string Line { get; init; }

    public required decimal Yield { get; init; }

    public required decimal ScrapRate { get; init; }

    public decimal? BaselineYield { get; init; }

    public required DateTimeOffset WindowStart { get; init; }

    public required DateTimeOffset WindowEnd { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }
}

