using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Testing;

namespace ManufacturingOrchestration.StandardScenario;

/// <summary>
/// The checks every runner of the standard scenario must pass, whatever carries the events: the counts of accepted,
/// duplicate and rejected events; the effect count of every command kind (and no other kind); every idempotency key
/// applied once; every lot's final stock in the ERP simulator; one move task to the site's hold bin, one buyer
/// notification and a supplier case exactly when due; and the order of each lot's effects (the ERP block before the
/// hold move, the notification and the supplier case). Checks only the plant simulators, so a baseline on another
/// framework is held to the same outcome.
/// </summary>
public static class EffectVerifier
{
    /// <summary>Stops adding failures after this many.</summary>
    public const int MaxFailures = 1_000;

    /// <summary>Verifies the plant's effects against the scenario.</summary>
    /// <param name="scenario">The scenario that was run.</param>
    /// <param name="plant">The plant the run drove.</param>
    /// <param name="accepted">Events the runner accepted and processed.</param>
    /// <param name="duplicates">Events the runner recognised as duplicates (without effect).</param>
    /// <param name="rejected">Events the runner rejected.</param>
    /// <param name="failures">Where every mismatch is added.</param>
    public static void Verify(InspectionScenario scenario, PlantSimulator plant, long accepted, long duplicates, long rejected, List<string> failures)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(plant);
        ArgumentNullException.ThrowIfNull(failures);
        VerifyCounts(scenario.Lots, accepted, duplicates, rejected, failures);
        VerifyEffects(scenario, plant, static _ => true, failures);
    }

    /// <summary>Verifies what the publishers were told: every lot's event accepted, every duplicate recognised, none rejected.</summary>
    /// <param name="lots">The scenario's lots.</param>
    /// <param name="accepted">Events the runner accepted and processed.</param>
    /// <param name="duplicates">Events the runner recognised as duplicates (without effect).</param>
    /// <param name="rejected">Events the runner rejected.</param>
    /// <param name="failures">Where every mismatch is added.</param>
    public static void VerifyCounts(int lots, long accepted, long duplicates, long rejected, List<string> failures)
    {
        Expect(failures, "accepted events", lots, accepted);
        Expect(failures, "duplicate events", InspectionScenario.DuplicateCount(lots), duplicates);
        Expect(failures, "rejected events", 0, rejected);
    }

    /// <summary>
    /// Verifies the effects of some of the scenario's lots: those <paramref name="includes"/> names must have had every
    /// effect due, once and in order; the others none at all in this plant (their stock still in inspection). What one
    /// of several orchestrator nodes, each with simulators of its own, is held to for the lots it processed.
    /// </summary>
    /// <param name="scenario">The scenario that was run.</param>
    /// <param name="plant">The plant the run drove.</param>
    /// <param name="includes">Whether lot k was processed against this plant.</param>
    /// <param name="failures">Where every mismatch is added.</param>
    public static void VerifyEffects(InspectionScenario scenario, PlantSimulator plant, Func<int, bool> includes, List<string> failures)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(plant);
        ArgumentNullException.ThrowIfNull(includes);
        ArgumentNullException.ThrowIfNull(failures);
        var lots = scenario.Lots;
        var included = 0;
        var failed = 0;
        var supplierCases = 0;
        for (var k = 0; k < lots; k++)
        {
            if (!includes(k))
            {
                continue;
            }

            included++;
            if (InspectionScenario.IsFailed(k))
            {
                failed++;
                if (scenario.NeedsSupplierCase(k))
                {
                    supplierCases++;
                }
            }
        }

        var effects = plant.Effects.Records;
        var byKind = effects.GroupBy(e => e.CommandKind, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var expected = new Dictionary<string, int>(StringComparer.Ordinal)
        {
            [CommandKinds.ErpChangeStockCategory] = included,
            [CommandKinds.WmsCreateMoveTask] = failed,
            [CommandKinds.NotificationSend] = failed,
            [CommandKinds.QmsOpenSupplierCase] = supplierCases,
        };
        foreach (var (kind, count) in expected)
        {
            Expect(failures, $"effects of {kind}", count, byKind.GetValueOrDefault(kind));
        }

        foreach (var (kind, count) in byKind)
        {
            if (!expected.ContainsKey(kind))
            {
                failures.Add($"unexpected effects: {count} x {kind}");
            }
        }

        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var effect in effects)
        {
            if (!keys.Add(effect.IdempotencyKey))
            {
                failures.Add($"idempotency key applied twice: {effect.IdempotencyKey}");
            }
        }

        var effectsByLot = effects.Where(e => e.Lot is not null).GroupBy(e => e.Lot!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderBy(e => e.Sequence).Select(e => e.CommandKind).ToList(), StringComparer.Ordinal);
        var moves = plant.Wms.MoveTasks.GroupBy(t => t.Lot).ToDictionary(g => g.Key, g => g.ToList());
        var buyerNotices = plant.Notification.Sent
            .Where(n => n.Request.Roles.Contains(Role.Buyer) && n.Request.Lot is not null)
            .GroupBy(n => n.Request.Lot!.Value)
            .ToDictionary(g => g.Key, g => g.ToList());
        var cases = plant.Qms.SupplierCases.SelectMany(c => c.Lots.Select(l => (Lot: l, Case: c))).GroupBy(x => x.Lot).ToDictionary(g => g.Key, g => g.Select(x => x.Case).ToList());

        for (var k = 0; k < lots && failures.Count <= MaxFailures; k++)
        {
            var lot = new LotId(InspectionScenario.LotId(k));
            if (!includes(k))
            {
                if (plant.Erp.QuantityIn(lot, StockCategory.QualityInspection) != InspectionScenario.LotQuantity || effectsByLot.ContainsKey(lot.Value))
                {
                    failures.Add($"{lot}: processed elsewhere, but this plant has effects of it");
                }

                continue;
            }

            var site = scenario.SiteOf(k);
            var isFailed = InspectionScenario.IsFailed(k);
            var target = isFailed ? StockCategory.Blocked : StockCategory.Unrestricted;

            if (plant.Erp.QuantityIn(lot, target) != InspectionScenario.LotQuantity || plant.Erp.QuantityIn(lot, StockCategory.QualityInspection) != 0)
            {
                failures.Add($"{lot}: ERP has {plant.Erp.QuantityIn(lot, target)} {target} and {plant.Erp.QuantityIn(lot, StockCategory.QualityInspection)} in inspection");
            }

            var lotMoves = moves.GetValueOrDefault(lot);
            var lotNotices = buyerNotices.GetValueOrDefault(lot);
            var lotCases = cases.GetValueOrDefault(lot);
            if (isFailed)
            {
                if (lotMoves is not [{ } move] || move.ToBin != site.HoldLocation)
                {
                    failures.Add($"{lot}: expected one move task to {site.HoldLocation}, found {lotMoves?.Count ?? 0}");
                }

                if (lotNotices is not [{ } notice] || notice.Request.Site != site.Id)
                {
                    failures.Add($"{lot}: expected one buyer notification at {site.Id}, found {lotNotices?.Count ?? 0}");
                }

                var needsCase = scenario.NeedsSupplierCase(k);
                if (needsCase && (lotCases is not [{ } supplierCase] || supplierCase.Supplier != scenario.MaterialOf(k).Supplier))
                {
                    failures.Add($"{lot}: expected one supplier case with {scenario.MaterialOf(k).Supplier}, found {lotCases?.Count ?? 0}");
                }
                else if (!needsCase && lotCases is not null)
                {
                    failures.Add($"{lot}: unexpected supplier case");
                }
            }
            else if (lotMoves is not null || lotNotices is not null || lotCases is not null)
            {
                failures.Add($"{lot}: a passed lot got a move task, notification or supplier case");
            }

            // Order per lot: the stock is blocked in the ERP before anything acts on the block.
            if (effectsByLot.GetValueOrDefault(lot.Value) is { Count: > 0 } sequence && sequence[0] != CommandKinds.ErpChangeStockCategory)
            {
                failures.Add($"{lot}: effects out of order: {string.Join(", ", sequence)}");
            }
        }

        if (failures.Count > MaxFailures)
        {
            failures.Add("stopped verifying after 1,000 failures");
        }
    }

    /// <summary>Adds a failure when the two counts differ.</summary>
    /// <param name="failures">Where to add it.</param>
    /// <param name="what">What was counted.</param>
    /// <param name="expected">The expected count.</param>
    /// <param name="actual">The count found.</param>
    public static void Expect(List<string> failures, string what, long expected, long actual)
    {
        ArgumentNullException.ThrowIfNull(failures);
        if (expected != actual)
        {
            failures.Add($"{what}: expected {expected:N0}, found {actual:N0}");
        }
    }
}
