using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Model;
using Microsoft.Extensions.Time.Testing;
using static ManufacturingOrchestration.Testing.Tests.Support.Seed;

namespace ManufacturingOrchestration.Testing.Tests.EffectsLog;

public sealed class EffectsLogTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "mo-effects-" + Guid.NewGuid().ToString("N"));

    private string LogPath => Path.Combine(_directory, "effects.jsonl");

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private PlantSimulator CreatePlant() => new(new PlantSimulatorOptions { TimeProvider = new FakeTimeProvider(), EffectsLogPath = LogPath });

    [Fact]
    public async Task Append_FileBacked_LineIsOnDiskBeforeSuccessReturns()
    {
        using var plant = CreatePlant();
        plant.AddLot(LotWith(unrestricted: 100));

        var result = await plant.Erp.ChangeStockCategoryAsync(Change(10, StockCategory.Unrestricted, StockCategory.Blocked, key: "k-disk"), CancellationToken.None);
        var onDisk = EffectsLogReader.Read(LogPath);

        result.IsSuccess.Should().BeTrue();
        onDisk.Should().ContainSingle();
        onDisk[0].System.Should().Be("erp");
        onDisk[0].CommandKind.Should().Be(CommandKinds.ErpChangeStockCategory);
        onDisk[0].IdempotencyKey.Should().Be("k-disk");
        onDisk[0].Lot.Should().Be(Lot.Value);
        onDisk[0].ExternalReference.Should().Be(result.ExternalReference);
    }

    [Fact]
    public async Task Reopen_SameFile_ReloadsKeysSoReplayAnswersAlreadyApplied()
    {
        string? firstReference;
        using (var before = CreatePlant())
        {
            before.AddLot(LotWith(unrestricted: 100));
            firstReference = (await before.Erp.ChangeStockCategoryAsync(Change(10, StockCategory.Unrestricted, StockCategory.Blocked, key: "k-crash"), CancellationToken.None)).ExternalReference;
            await before.Notification.SendAsync(new SendNotificationRequest { Context = Context("n-crash"), Roles = [Role.Planner], Site = Plant, Subject = "Lot blocked" }, CancellationToken.None);
        }

        using var after = CreatePlant();
        after.AddLot(LotWith(unrestricted: 100));
        var replay = await after.Erp.ChangeStockCategoryAsync(Change(10, StockCategory.Unrestricted, StockCategory.Blocked, key: "k-crash"), CancellationToken.None);
        var replayedNotification = await after.Notification.SendAsync(new SendNotificationRequest { Context = Context("n-crash"), Roles = [Role.Planner], Site = Plant, Subject = "Lot blocked" }, CancellationToken.None);

        replay.Status.Should().Be(AdapterResultStatus.AlreadyApplied);
        replay.ExternalReference.Should().Be(firstReference);
        replayedNotification.Status.Should().Be(AdapterResultStatus.AlreadyApplied);
        after.Erp.QuantityIn(Lot, StockCategory.Blocked).Should().Be(0, "the replay must not apply the effect again");
        EffectsLogReader.Read(LogPath).Should().HaveCount(2);
        after.Effects.Count.Should().Be(2);
    }

    [Fact]
    public async Task Reopen_TornLastLine_IsIgnoredAndCutOff()
    {
        using (var before = CreatePlant())
        {
            before.AddLot(LotWith(unrestricted: 100));
            await before.Erp.ChangeStockCategoryAsync(Change(10, StockCategory.Unrestricted, StockCategory.Blocked, key: "k-1"), CancellationToken.None);
        }

        await File.AppendAllTextAsync(LogPath, "{\"sequence\":2,\"system\":\"erp\",\"comm", TestContext.Current.CancellationToken);
        var readWithTornTail = EffectsLogReader.Read(LogPath);

        using var after = CreatePlant();
        after.AddLot(LotWith(unrestricted: 100));
        await after.Erp.ChangeStockCategoryAsync(Change(10, StockCategory.Unrestricted, StockCategory.Blocked, key: "k-2"), CancellationToken.None);
        var records = EffectsLogReader.Read(LogPath);

        readWithTornTail.Should().ContainSingle();
        records.Select(r => r.IdempotencyKey).Should().Equal("k-1", "k-2");
        records.Select(r => r.Sequence).Should().Equal(1, 2);
    }

    [Fact]
    public void Read_CorruptLineInTheMiddle_Throws()
    {
        Directory.CreateDirectory(_directory);
        File.WriteAllText(LogPath, "not json\n{\"sequence\":2}\n");

        var read = () => EffectsLogReader.Read(LogPath);

        read.Should().Throw<InvalidDataException>();
    }

    [Fact]
    public void Read_MissingFile_ReturnsEmpty()
    {
        EffectsLogReader.Read(LogPath).Should().BeEmpty();
    }

    [Fact]
    public async Task InMemory_RefusedCommand_LeavesNoEffect()
    {
        using var plant = new PlantSimulator(new PlantSimulatorOptions { TimeProvider = new FakeTimeProvider() });
        plant.AddLot(LotWith(unrestricted: 0, blocked: 10));
        plant.AddOrder(OrderIn(ProductionOrderStatus.Released));

        await plant.Erp.PostGoodsMovementAsync(Movement(MovementKind.Consumption, 5, from: StockCategory.Blocked, order: Order), CancellationToken.None);

        plant.Effects.Count.Should().Be(0);
        plant.Effects.Path.Should().BeNull();
    }
}
