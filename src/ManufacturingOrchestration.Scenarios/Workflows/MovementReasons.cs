using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Scenarios;

/// <summary>
/// The reason codes the shipped workflows give the stock movements and ERP commands they make (not refusals, so not in
/// <see cref="ReasonCodes"/>): what a plant's ERP sees as the movement's reason.
/// </summary>
internal static class MovementReasons
{
    public static readonly ReasonCode CycleCount = new("cycle-count", "A count difference posted after an approved cycle count.");

    public static readonly ReasonCode UseAsIs = new("mrb.use-as-is", "The MRB decided use-as-is: the stock is released.");

    public static readonly ReasonCode UseAsIsCompensated = new("mrb.use-as-is-compensated", "A use-as-is release undone because the disposition could not be completed.");

    public static readonly ReasonCode Repair = new("mrb.repair", "The MRB decided repair: the stock goes back to quality inspection.");

    public static readonly ReasonCode Rework = new("mrb.rework", "The MRB decided rework: the stock goes back to quality inspection.");

    public static readonly ReasonCode ReworkCompensated = new("mrb.rework-compensated", "A rework or repair move undone because the disposition could not be completed.");

    public static readonly ReasonCode ReturnToSupplier = new("mrb.return-to-supplier", "The MRB decided return to supplier.");


    public static readonly ReasonCode Scrap = new("mrb.scrap", "The MRB decided scrap.");

    public static readonly ReasonCode FinishedGoodsReleased = new("fg.released", "Finished goods released for shipment.");

    public static readonly ReasonCode FinishedGoodsReleaseCompensated = new("fg.release-compensated", "A finished-goods release undone because it could not be completed.");
}
