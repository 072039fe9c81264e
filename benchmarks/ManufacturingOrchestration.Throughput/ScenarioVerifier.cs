using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Testing;

namespace ManufacturingOrchestration.Throughput;

/// <summary>
/// Checks the outcome of a run against the scenario: publish results, every effect count by command kind, every final
/// lot state (ERP, WMS, the engine's own view), idempotency keys unique, every step's audit record carrying its
/// decisions' explanation, no dead letters, and the audit chains verifying.
/// </summary>
internal sealed class ScenarioVerifier(InspectionScenario scenario, PlantSimulator plant, Orchestrator orchestrator, PublishCounts counts)
{
    public async Task VerifyAsync(List<string> failures, CancellationToken ct)
    {
        var lots = scenario.Lots;
        var duplicates = InspectionScenario.DuplicateCount(lots);
        Expect(failures, "accepted events", lots, counts.Accepted);
        Expect(failures, "duplicate events", duplicates, counts.Duplicates);
        Expect(failures, "rejected events", 0, counts.Rejected);

        var failed = 0;
        var supplierCases = 0;
        for (var k = 0; k < lots; k++)
        {
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
            [CommandKinds.ErpChangeStockCategory] = lots,
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

        var moves = plant.Wms.MoveTasks.GroupBy(t => t.Lot).ToDictionary(g => g.Key, g => g.ToList());
        var buyerNotices = plant.Notification.Sent
            .Where(n => n.Request.Roles.Contains(Role.Buyer) && n.Request.Lot is not null)
            .GroupBy(n => n.Request.Lot!.Value)
            .ToDictionary(g => g.Key, g => g.ToList());
        var cases = plant.Qms.SupplierCases.SelectMany(c => c.Lots.Select(l => (Lot: l, Case: c))).GroupBy(x => x.Lot).ToDictionary(g => g.Key, g => g.Select(x => x.Case).ToList());

        for (var k = 0; k < lots; k++)
        {
            var lot = new LotId(InspectionScenario.LotId(k));
            var site = scenario.SiteOf(k);
            var isFailed = InspectionScenario.IsFailed(k);
            var target = isFailed ? StockCategory.Blocked : StockCategory.Unrestricted;

            if (plant.Erp.QuantityIn(lot, target) != InspectionScenario.LotQuantity || plant.Erp.QuantityIn(lot, StockCategory.QualityInspection) != 0)
            {
                failures.Add($"{lot}: ERP has {plant.Erp.QuantityIn(lot, target)} {target} and {plant.Erp.QuantityIn(lot, StockCategory.QualityInspection)} in inspection");
            }

            var state = await orchestrator.GetPartitionAsync(lot.Value, ct).ConfigureAwait(false);
            if (state?.Lot is not { } engineLot || engineLot.QuantityIn(target).Value != InspectionScenario.LotQuantity || engineLot.QuantityIn(StockCategory.QualityInspection).Value != 0)
            {
                failures.Add($"{lot}: the engine's lot state is not {InspectionScenario.LotQuantity} {target}");
            }

            if (state is { IsParked: true })
            {
                failures.Add($"{lot}: parked");
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

            var audit = await orchestrator.GetAuditTrailAsync(lot.Value, ct).ConfigureAwait(false);
            var rule = isFailed ? "mo.inspection-failed.quarantine" : "mo.inspection-passed.release";
            if (audit is not [{ Action: "processed" } processed] || processed.Explanation?.Contains(rule, StringComparison.Ordinal) != true)
            {
                failures.Add($"{lot}: expected one 'processed' audit record explained by {rule}; found {string.Join(", ", audit.Select(a => a.Action))}");
            }

            if (failures.Count > 1_000)
            {
                failures.Add("stopped verifying after 1,000 failures");
                return;
            }
        }

        var deadLetters = await orchestrator.GetDeadLettersAsync(DeadLetterQuery.Open, ct).ConfigureAwait(false);
        Expect(failures, "open dead letters", 0, deadLetters.Count);

        var verification = await orchestrator.Audit.VerifyAllAsync(ct).ConfigureAwait(false);
        if (!verification.IsValid)
        {
            failures.Add($"audit chain: {verification.Violations.Count} violation(s), first: {verification.Violations[0].Message}");
        }

        Expect(failures, "audit chains checked", lots, verification.ChainsChecked);
        Expect(failures, "audit records checked", lots, verification.RecordsChecked);
    }

    private static void Expect(List<string> failures, string what, long expected, long actual)
    {
        if (expected != actual)
        {
            failures.Add($"{what}: expected {expected:N0}, found {actual:N0}");
        }
    }
}
