using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.StateMachines;
using Microsoft.Extensions.Time.Testing;
using static ManufacturingOrchestration.Testing.Tests.Support.Seed;

namespace ManufacturingOrchestration.Testing.Tests.Simulators;

/// <summary>Stock of a restricted batch that enters "unrestricted" lands in restricted-use, in the ERP as in the lot machine.</summary>
public sealed class ErpRestrictedBatchTests
{
    private static readonly CancellationToken s_ct = CancellationToken.None;
    private static readonly DateTimeOffset s_now = new(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);

    public static TheoryData<MovementKind> EntriesIntoUnrestricted => [MovementKind.GoodsReceipt, MovementKind.PlantTransferIn, MovementKind.CountDifference];

    [Theory]
    [MemberData(nameof(EntriesIntoUnrestricted))]
    public async Task PostGoodsMovementAsync_IntoUnrestrictedOfARestrictedBatch_LandsInRestrictedUseLikeTheLotMachine(MovementKind kind)
    {
        var lot = LotWith(unrestricted: 0, qualityInspection: 10, restricted: true) with
        {
            Buckets =
            [
                new StockBucket { Category = StockCategory.QualityInspection, Quantity = Ea(10) },
                new StockBucket { Category = StockCategory.InTransit, Quantity = Ea(20) },
            ],
        };
        var erp = new ErpSimulator(new SimulatorOptions { TimeProvider = new FakeTimeProvider(s_now) });
        erp.AddLot(lot);
        var request = Movement(kind, 20, from: kind == MovementKind.PlantTransferIn ? StockCategory.InTransit : null, to: StockCategory.Unrestricted);
        request = request with { Movement = request.Movement with { IsIncrease = kind == MovementKind.CountDifference } };
        var machine = LotStockMachine.Apply(lot, request.Movement, LotPolicy.Default, DateOnly.FromDateTime(s_now.UtcDateTime));

        var result = await erp.PostGoodsMovementAsync(request, s_ct);
        var consume = await erp.PostGoodsMovementAsync(Movement(MovementKind.Consumption, 1, from: StockCategory.Unrestricted), s_ct);

        result.IsSuccess.Should().BeTrue(result.Reason?.Code);
        machine.Value!.QuantityIn(StockCategory.RestrictedUse, StockOwnership.Own).Value.Should().Be(20);
        erp.QuantityIn(Lot, StockCategory.RestrictedUse).Should().Be(20);
        erp.QuantityIn(Lot, StockCategory.Unrestricted).Should().Be(0);
        consume.IsSuccess.Should().BeFalse("a restricted batch has no unrestricted stock to consume");
    }

    [Fact]
    public async Task ReverseGoodsMovementAsync_ReceiptOfARestrictedBatch_TakesTheStockBackOutOfRestrictedUse()
    {
        var erp = new ErpSimulator(new SimulatorOptions { TimeProvider = new FakeTimeProvider(s_now) });
        erp.AddLot(LotWith(unrestricted: 0, qualityInspection: 10, restricted: true));
        var receipt = await erp.PostGoodsMovementAsync(Movement(MovementKind.GoodsReceipt, 20, to: StockCategory.Unrestricted), s_ct);

        var reversal = await erp.ReverseGoodsMovementAsync(new ReverseGoodsMovementRequest { Context = Context(), Lot = Lot, DocumentNumber = receipt.ExternalReference! }, s_ct);

        reversal.IsSuccess.Should().BeTrue(reversal.Reason?.Code);
        erp.QuantityIn(Lot, StockCategory.RestrictedUse).Should().Be(0);
        erp.QuantityIn(Lot, StockCategory.Unrestricted).Should().Be(0);
    }

    [Fact]
    public async Task PostCountAdjustmentAsync_SurplusInUnrestrictedOfARestrictedBatch_LandsInRestrictedUse()
    {
        var erp = new ErpSimulator(new SimulatorOptions { TimeProvider = new FakeTimeProvider(s_now) });
        erp.AddLot(LotWith(unrestricted: 0, qualityInspection: 10, restricted: true));

        var result = await erp.PostCountAdjustmentAsync(new PostCountAdjustmentRequest
        {
            Context = Context(),
            Count = new CycleCountId("CC-1"),
            Lot = Lot,
            Material = Capacitor,
            Site = Plant,
            Difference = Ea(4),
            IsIncrease = true,
        }, s_ct);

        result.IsSuccess.Should().BeTrue(result.Reason?.Code);
        erp.MovementTypeOf(result.ExternalReference!).Should().Be("701");
        erp.QuantityIn(Lot, StockCategory.RestrictedUse).Should().Be(4);
        erp.QuantityIn(Lot, StockCategory.Unrestricted).Should().Be(0);
    }
}
