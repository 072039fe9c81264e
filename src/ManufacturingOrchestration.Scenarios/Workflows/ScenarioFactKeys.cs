using ManufacturingOrchestration.Engine.Workflows;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Rules;

namespace ManufacturingOrchestration.Scenarios;

/// <summary>
/// The facts the shipped scenario workflows store in their <see cref="StepContext"/>: the one declaration of each,
/// which the workflows use and which a step of your own (added to a shipped workflow or running after one) reads the
/// same facts through, for example <c>ctx.GetFact(ScenarioFactKeys.Material)</c>.
/// </summary>
public static class ScenarioFactKeys
{
    /// <summary>The material master of the event's lot (incoming inspection, cycle count), when the ERP knows it.</summary>
    public static readonly FactKey<MaterialDefinition> Material = new("material");

    /// <summary>The profile of the event's site (incoming inspection, finished-goods release, MRB disposition, scrap spike).</summary>
    public static readonly FactKey<SiteProfile> Site = new("site");

    /// <summary>
    /// The open allocations of the lot, from the ERP: of a lot whose inspection failed, and of a lot being released
    /// (incoming inspection passed, finished-goods release) when the rules hold requirements of some customer.
    /// </summary>
    public static readonly FactKey<IReadOnlyList<Allocation>> Allocations = new("allocations");

    /// <summary>
    /// The certificates of analysis on file for a lot being released, from the QMS: read when an allocation of the lot is
    /// for a customer whose requirements ask for one (incoming inspection passed, finished-goods release).
    /// </summary>
    public static readonly FactKey<IReadOnlyList<CertificateOfAnalysis>> CertificatesOfAnalysis = new("certificates-of-analysis");

    /// <summary>The supplier's recent quality history, for a lot whose inspection failed, from the QMS.</summary>
    public static readonly FactKey<SupplierQualityHistory> SupplierHistory = new("supplier-history");

    /// <summary>
    /// Genealogy links of the lot, from the MES: the consumers of a partly consumed lot whose inspection failed, the
    /// inputs of a finished-goods lot being released.
    /// </summary>
    public static readonly FactKey<IReadOnlyList<GenealogyLink>> Genealogy = new("genealogy");

    /// <summary>The scrap window of a line with its baseline yield (scrap spike).</summary>
    public static readonly FactKey<ScrapWindow> ScrapWindow = new("scrap-window");

    /// <summary>Whether the line's current spike was already alerted, so the spike's alerts are not sent again (scrap spike).</summary>
    public static readonly FactKey<bool> SpikeAlreadyAlerted = new("spike-already-alerted");

    /// <summary>The id of the approval a count variance requested while the event was handled (cycle count).</summary>
    public static readonly FactKey<string> ApprovalRequest = new("approval-request");

    /// <summary>The nonconformance an MRB decision belongs to, from the QMS (MRB disposition).</summary>
    public static readonly FactKey<Nonconformance> Nonconformance = new("nonconformance");

    /// <summary>
    /// The actor directory's entries for the people the event names as releasing or authorizing (finished-goods release,
    /// MRB disposition); passed to the rules as <see cref="FactSet.Actors"/>, where the decision policy checks release authority.
    /// </summary>
    public static readonly FactKey<IReadOnlyList<Actor>> Claimants = new("claimants");

    /// <summary>How many lines of an MRB decision were executed while the event was handled (MRB disposition).</summary>
    public static readonly FactKey<int> ExecutedLines = new("executed-lines");
}
