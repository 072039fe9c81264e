using ManufacturingOrchestration.Engine.Workflows;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.StateMachines;

namespace ManufacturingOrchestration.Scenarios;

/// <summary>
/// Goods receipt (<see cref="GoodsReceived"/>): the orchestrator learns a lot when it arrives, so the lot's later events
/// (its inspection result, a consumption) find it without reading the ERP. A lot not known yet is created from the
/// receipt through the lot machine (<see cref="LotStockMachine.Receive"/>); a further receipt into a known lot adds its
/// quantity to the category it names (<see cref="MovementKind.GoodsReceipt"/>). A receipt the lot machine refuses (for
/// example into in-transit stock, or in another unit) is recorded as a rejection and changes nothing. The receipt is the
/// record of a posting already made in the ERP, so nothing is sent back to it.
/// </summary>
/// <remarks>
/// The engine reads a lot from the ERP before the first step of any other event that names a lot it does not know yet
/// (<see cref="Engine.Execution.OrchestratorSettings.BootstrapFromErp"/>); a goods receipt is the one lot event it never
/// reads for, because the receipt itself carries the lot.
/// </remarks>
public static class GoodsReceiptWorkflow
{
    /// <summary>The workflow name.</summary>
    public const string Name = "goods-receipt";

    /// <summary>Builds the workflow.</summary>
    /// <param name="services">The lot policy and sites.</param>
    /// <returns>The definition (version 1).</returns>
    public static WorkflowDefinition Create(ScenarioServices services)
    {
        ArgumentNullException.ThrowIfNull(services);
        return new WorkflowBuilder(Name, 1)
            .Describe("Goods received → the lot is registered (or its received quantity added) through the lot machine, without an ERP read.")
            .TriggeredBy(EventTypes.GoodsReceived)
            .Step("register-lot", WorkflowStepKind.Transition, ctx => Register(services, ctx))
            .Build();
    }

    private static void Register(ScenarioServices services, StepContext ctx)
    {
        var receipt = ctx.Event.Data as GoodsReceived ?? throw new InvalidOperationException($"{Name} does not handle {ctx.Event.Type}.");
        var today = ScenarioFacts.Today(services, ctx, receipt.Site);
        var result = ctx.State.Lot is { } known
            ? LotStockMachine.Apply(known, new GoodsMovement
            {
                Kind = MovementKind.GoodsReceipt,
                Lot = receipt.Lot,
                Material = receipt.Material,
                Site = receipt.Site,
                Quantity = receipt.Quantity,
                ToCategory = receipt.Category,
                ToOwnership = receipt.Ownership,
                ToLocation = receipt.Location,
            }, services.LotPolicy, today)
            : LotStockMachine.Receive(receipt, services.LotPolicy, today);
        if (ctx.Accept(result, out var lot))
        {
            ctx.State = ctx.State with { Lot = lot };
        }
    }
}
