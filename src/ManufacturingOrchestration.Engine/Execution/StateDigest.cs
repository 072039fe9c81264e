using System.Globalization;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Rules;

namespace ManufacturingOrchestration.Engine.Execution;

/// <summary>A compact, readable description of a partition's business state for the audit trail.</summary>
internal static class StateDigest
{
    public static string Describe(PartitionState state)
    {
        if (state.Lot is { } lot)
        {
            var sb = TextBuilders.Acquire();
            sb.Append("lot ").Append(lot.Id.Value).Append(':');
            FactDescriptions.AppendStock(sb, lot);
            return TextBuilders.ToStringAndRelease(sb);
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
