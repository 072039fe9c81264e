using System.Text.Json;
using ManufacturingOrchestration.Adapters.Http.Tests.Support;
using ManufacturingOrchestration.Adapters.Serialization;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Adapters.Http.Tests;

public sealed class JsonRestWmsConnectorTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task CreateMoveTaskAsync_Created_ReturnsTaskIdFromJson()
    {
        await using var server = LoopbackServer.Always(ScriptedResponse.Of(201, """{"taskId":"T-88"}"""));
        await using var provider = TestConnectors.Services(server, o => o.ExternalReferenceJsonProperty = "taskId");
        var command = new CreateMoveTaskRequest
        {
            Context = TestConnectors.Context("move-1"),
            Lot = new LotId("LOT-1"),
            Site = new SiteId("PLANT-1"),
            ToBin = new BinId("HOLD-01"),
            TargetCategory = StockCategory.Blocked,
        };

        var result = await TestConnectors.Wms(provider).CreateMoveTaskAsync(command, Ct);

        result.Status.Should().Be(AdapterResultStatus.Succeeded);
        result.ExternalReference.Should().Be("T-88");
        var request = server.Requests.Single();
        request.Path.Should().Be("/api/v1/move-tasks");
        request.Header("Idempotency-Key").Should().Be("move-1");
        OperationRegistry.CreateDefault().Deserialize(CommandKinds.WmsCreateMoveTask, System.Text.Encoding.UTF8.GetBytes(request.Body)).Should().Be(command);
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task PausePicksAsync_Conflict_IsAlreadyAppliedOnLotPath()
    {
        await using var server = LoopbackServer.Always(ScriptedResponse.Of(409));
        await using var provider = TestConnectors.Services(server);

        var result = await TestConnectors.Wms(provider).PausePicksAsync(
            new PausePicksRequest { Context = TestConnectors.Context(), Lot = new LotId("LOT-2"), Site = new SiteId("PLANT-1") }, Ct);

        result.Status.Should().Be(AdapterResultStatus.AlreadyApplied);
        server.Requests.Single().Path.Should().Be("/api/v1/lots/LOT-2/picks/pause");
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task GetStockAsync_Ok_DeserializesStock()
    {
        var stock = new WmsStock
        {
            Lot = new LotId("LOT-3"),
            Unit = UnitOfMeasure.Each,
            Lines = [new WmsStockLine { Bin = new BinId("A-01"), Category = StockCategory.QualityInspection, Quantity = new Quantity(12, UnitOfMeasure.Each) }],
        };
        await using var server = LoopbackServer.Always(ScriptedResponse.Of(200, JsonSerializer.Serialize(stock, AdapterJson.Context.GetTypeInfo(typeof(WmsStock))!)));
        await using var provider = TestConnectors.Services(server);

        var found = await TestConnectors.Wms(provider).GetStockAsync(new LotId("LOT-3"), Ct);

        found.Should().NotBeNull();
        found!.Lines.Should().ContainSingle().Which.Quantity.Should().Be(new Quantity(12, UnitOfMeasure.Each));
        found.ToSnapshot().QuantityIn(StockCategory.QualityInspection).Value.Should().Be(12);
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task GetStockAsync_NotFound_ReturnsNull()
    {
        await using var server = LoopbackServer.Always(ScriptedResponse.Of(404));
        await using var provider = TestConnectors.Services(server);

        (await TestConnectors.Wms(provider).GetStockAsync(new LotId("LOT-X"), Ct)).Should().BeNull();
    }
}
