using System.Globalization;
using System.Text;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Rules;

namespace ManufacturingOrchestration.Engine.Execution;

/// <summary>A compact, readable description of a partition's business state for the audit trail.</summary>
internal static class StateDigest
{
    [ThreadStatic]
    private static StringBuilder? _builder;

    public static string Describe(PartitionState state)
    {
        if (state.Lot is { } lot)
        {
            // Several digests per event: one builder per thread, only the digest itself is allocated.
            var sb = _builder ??= new StringBuilder(256);
            sb.Clear();
            sb.Append("lot ").Append(lot.Id.Value).Append(':');
            FactDescriptions.AppendStock(sb, lot);
            var digest = sb.ToString();
            if (sb.Capacity > 4096)
            {
                _builder = null;
            }

            return digest;
        }

        if (state.Order is { } order)
        {
            return string.Create(CultureInfo.InvariantCulture, $"order {order.Id.Value}: {order.Status}; confirmed {order.ConfirmedQuantity}/{order.PlannedQuantity.Value} {order.PlannedQuantity.Unit.Code}; scrap {order.ScrapQuantity}");
        }

        if (state.Nonconformance is { } ncr)
        {
            return string.Create(CultureInfo.InvariantCulture, $"ncr {ncr.Id.Value}: {ncr.Status}; dispositions {ncr.Dispositions.Count}");
        }

        return state.Version == 0 ? "new" : string.Create(CultureInfo.InvariantCulture, $"v{state.Version}");
    }
}
