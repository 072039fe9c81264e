using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Workflows;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;

namespace ManufacturingOrchestration.Samples.CustomConnector;

/// <summary>
/// A workflow of our own over our own LIMS operations: a lot that fails incoming inspection gets a retest sample in the
/// LIMS for the characteristic that failed — unless the lab already registered one — and the quality engineers of the
/// site are told. It declares the operations it needs, so an orchestrator composed without a LIMS connector refuses to
/// start instead of dead-lettering the first failed lot.
/// </summary>
public static class RetestSampleWorkflow
{
    /// <summary>The workflow's name.</summary>
    public const string Name = "lims-retest";

    /// <summary>The test method that retests a failed characteristic (<see cref="FallbackTestMethod"/> for any other).</summary>
    public static readonly IReadOnlyDictionary<string, string> TestMethods = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["capacitance"] = "CAP-LCR-1KHZ",
        ["leakage-current"] = "LEAK-DC-10V",
        ["esr"] = "ESR-100KHZ",
    };

    /// <summary>The test method for a characteristic without its own.</summary>
    public const string FallbackTestMethod = "FULL-RETEST";

    // The sample the LIMS already holds for the lot, found by the first step for the second.
    private static readonly FactKey<RetestSample> ExistingSample = new("lims.existing-retest-sample");

    /// <summary>Builds the workflow.</summary>
    /// <returns>The definition.</returns>
    public static WorkflowDefinition Create() => new WorkflowBuilder(Name, 1)
        .Describe("A failed incoming inspection gets a retest sample in the LIMS, and the site's quality engineers are told.")
        .TriggeredBy(EventTypes.InspectionFailed)
        .Requires(LimsOperations.RecordRetestSample, LimsOperations.FindRetestSample, CommandKinds.NotificationSend)
        .Step("find-existing-sample", WorkflowStepKind.Enrich, async (ctx, ct) =>
        {
            var failed = (InspectionFailed)ctx.Event.Data;

            // A query of our own; a failure is not ours to handle: the orchestrator retries the event durably.
            if (await ctx.QueryAsync(new FindRetestSample(failed.Lot), ct) is { } existing)
            {
                ctx.SetFact(ExistingSample, existing);
            }
        })
        .Step("plan-retest", WorkflowStepKind.Plan, ctx =>
        {
            var failed = (InspectionFailed)ctx.Event.Data;
            if (ctx.TryGetFact(ExistingSample, out var existing))
            {
                ctx.Audit("retest-sample-exists", $"The LIMS already holds retest sample {existing.SampleId} ({existing.TestMethod}) of {failed.Lot}, registered by {existing.RegisteredBy}: no new sample requested.");
                Notify(ctx, failed, $"{failed.Lot} failed incoming inspection; retest sample {existing.SampleId} is already in the LIMS");
                return;
            }

            var characteristic = failed.Results.FirstOrDefault(r => r.Valuation == Valuation.Rejected)?.Characteristic ?? "inspection";
            var method = TestMethods.GetValueOrDefault(characteristic, FallbackTestMethod);

            // Planned like any built-in command: kept in the outbox under its idempotency key, executed after the commit.
            ctx.Plan(LimsOperations.RecordRetestSample, c => new RecordRetestSample
            {
                Context = c,
                Lot = failed.Lot,
                Material = failed.Material,
                InspectionLot = failed.InspectionLot,
                Characteristic = characteristic,
                TestMethod = method,
                Reason = failed.DefectDescription,
            });
            Notify(ctx, failed, $"{failed.Lot} failed incoming inspection ({characteristic}); retest sample requested in the LIMS ({method})");
        })
        .Build();

    // Planned last: a lot's commands run one at a time in plan order, so the notification waits until the LIMS has the sample.
    private static void Notify(StepContext ctx, InspectionFailed failed, string subject) =>
        ctx.Plan(CommandKinds.NotificationSend, c => new SendNotificationRequest { Context = c, Roles = [Role.QualityEngineer], Site = failed.Site, Subject = subject, Lot = failed.Lot });
}
