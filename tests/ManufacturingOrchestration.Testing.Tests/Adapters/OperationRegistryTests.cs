using System.Text.Json;
using System.Text.Json.Serialization;
using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Testing.Tests.Adapters;

public sealed class OperationRegistryTests
{
    [Fact]
    public void CreateDefault_HoldsEveryBuiltInCommandAndQuery_WithTheirHandlerInterfaces()
    {
        var registry = OperationRegistry.CreateDefault();

        registry.Operations.Where(o => o.Type == OperationType.Command).Select(o => o.Kind).Should().BeEquivalentTo(CommandKinds.All);
        registry.Operations.Where(o => o.Type == OperationType.Query).Select(o => o.Kind).Should().BeEquivalentTo(QueryKinds.All);
        registry.TryGet(QueryKinds.MesTraceForward, out var trace).Should().BeTrue();
        trace!.HandlerType.Should().Be<IQueryHandler<TraceForwardQuery, GenealogyTrace>>();
        registry.TryGet(typeof(TraceBackwardQuery), out var backward).Should().BeTrue();
        backward!.Kind.Should().Be(QueryKinds.MesTraceBackward);
        registry.TryGet(QueryKinds.ErpGetMaterial, out var query).Should().BeTrue();
        query!.RequestType.Should().Be<GetMaterialQuery>();
        query.HandlerType.Should().Be<IQueryHandler<GetMaterialQuery, MaterialDefinition?>>();
        query.System.Should().Be("erp");
        registry.TryGet(typeof(SendNotificationRequest), out var command).Should().BeTrue();
        command!.Kind.Should().Be(CommandKinds.NotificationSend);
        command.HandlerType.Should().Be<ICommandHandler<SendNotificationRequest>>();
    }

    [Fact]
    public void CreateDefault_EachCallIsItsOwnRegistry()
    {
        var first = OperationRegistry.CreateDefault().AddCommand(RecordSample.KindName, LimsJson.Default.RecordSample);

        first.TryGet(RecordSample.KindName, out _).Should().BeTrue();
        OperationRegistry.CreateDefault().TryGet(RecordSample.KindName, out _).Should().BeFalse();
    }

    [Fact]
    public void AddCommand_UserCommand_SerializedUnderItsKindAndReadBack()
    {
        var registry = OperationRegistry.CreateDefault().AddCommand(RecordSample.KindName, LimsJson.Default.RecordSample);
        var command = new RecordSample { Context = Context("k-1"), Sample = "S-7", Lot = new LotId("L-1") };

        var json = registry.Serialize(command);
        var back = registry.Deserialize(RecordSample.KindName, json);

        using var document = JsonDocument.Parse(json);
        document.RootElement.GetProperty("sample").GetString().Should().Be("S-7");
        document.RootElement.GetProperty("context").GetProperty("idempotencyKey").GetString().Should().Be("k-1");
        back.Should().Be(command);
        registry.TryGet(RecordSample.KindName, out var operation).Should().BeTrue();
        operation!.System.Should().Be("lims");
        operation.Type.Should().Be(OperationType.Command);
    }

    [Fact]
    public void AddCommand_SameTypeAndKindTwice_IsIdempotent()
    {
        var registry = OperationRegistry.CreateDefault()
            .AddCommand(RecordSample.KindName, LimsJson.Default.RecordSample)
            .AddCommand(RecordSample.KindName, LimsJson.Default.RecordSample);

        registry.Operations.Count(o => o.Kind == RecordSample.KindName).Should().Be(1);
    }

    [Fact]
    public void AddCommand_KindOfABuiltInForAnotherType_Refused()
    {
        var act = () => OperationRegistry.CreateDefault().AddCommand(CommandKinds.NotificationSend, LimsJson.Default.RecordSample);

        act.Should().Throw<ArgumentException>().WithMessage("*'notification.send' is already registered for SendNotificationRequest*");
    }

    [Fact]
    public void AddCommand_TypeUnderASecondKind_Refused()
    {
        var registry = OperationRegistry.CreateDefault().AddCommand(RecordSample.KindName, LimsJson.Default.RecordSample);

        var act = () => registry.AddCommand("lims.record-sample-again", LimsJson.Default.RecordSample);

        act.Should().Throw<ArgumentException>().WithMessage("*RecordSample is already registered as 'lims.record-sample'*");
    }

    [Theory]
    [InlineData("lims")]
    [InlineData(".record")]
    [InlineData("lims.")]
    [InlineData("LIMS.record")]
    [InlineData("lims.record sample")]
    [InlineData("lims..record")]
    [InlineData("lims.record.")]
    [InlineData("lims.record-{")]
    [InlineData("lims.record/")]
    public void AddQuery_MalformedKind_RefusedNamingTheShape(string kind)
    {
        var act = () => new OperationRegistry().AddQuery<GetSample, string?>(kind);

        act.Should().Throw<ArgumentException>().WithMessage($"*'{kind}' is not '<system>.<verb-object>'*");
    }

    [Fact]
    public void AddQuery_KindOf128Characters_AcceptedAnd129Refused()
    {
        var longest = "lims." + new string('z', 123);
        var tooLong = longest + "9";

        new OperationRegistry().AddQuery<GetSample, string?>(longest).TryGet(longest, out _).Should().BeTrue();
        var act = () => new OperationRegistry().AddQuery<GetSample, string?>(tooLong);
        act.Should().Throw<ArgumentException>().WithMessage("*at most 128 characters*");
    }

    [Fact]
    public void AddQuery_LettersDigitsAndHyphensAtTheirBounds_Accepted()
    {
        var registry = new OperationRegistry().AddQuery<GetSample, string?>("az09-.az-09");

        registry.TryGet("az09-.az-09", out var operation).Should().BeTrue();
        operation!.System.Should().Be("az09-");
    }

    [Fact]
    public void AddQuery_DotsAfterTheSystem_Accepted()
    {
        var registry = new OperationRegistry().AddQuery<GetSample, string?>("lims.sample.get");

        registry.TryGet("lims.sample.get", out var operation).Should().BeTrue();
        operation!.System.Should().Be("lims");
    }

    [Fact]
    public void Serialize_UnregisteredCommandType_RefusedWithReasonCode()
    {
        var act = () => OperationRegistry.CreateDefault().Serialize(new RecordSample { Context = Context("k"), Sample = "S", Lot = new LotId("L") });

        act.Should().Throw<ManufacturingOrchestrationException>().Where(e => e.ReasonCode == ReasonCodes.UnknownCommandKind && e.Message.Contains("RecordSample"));
    }

    [Fact]
    public void Serialize_CommandWhoseKindDisagreesWithItsRegistration_Refused()
    {
        var registry = OperationRegistry.CreateDefault().AddCommand("lims.other", LimsJson.Default.RecordSample);

        var act = () => registry.Serialize(new RecordSample { Context = Context("k"), Sample = "S", Lot = new LotId("L") });

        act.Should().Throw<ManufacturingOrchestrationException>().WithMessage("*says its kind is 'lims.record-sample' but is registered as 'lims.other'*");
    }

    [Fact]
    public void Deserialize_KindNotRegistered_RefusedWithReasonCodeNamingTheKind()
    {
        var act = () => OperationRegistry.CreateDefault().Deserialize("lims.record-sample", "{}"u8);

        var refusal = act.Should().Throw<ManufacturingOrchestrationException>().Which;
        refusal.ReasonCode.Should().Be(ReasonCodes.UnknownCommandKind);
        refusal.Message.Should().StartWith("The command kind 'lims.record-sample' is not registered");
    }

    [Fact]
    public void PublicMembers_NullArguments_Refused()
    {
        var registry = OperationRegistry.CreateDefault();

        ((Action)(() => registry.AddCommand(RecordSample.KindName, (System.Text.Json.Serialization.Metadata.JsonTypeInfo<RecordSample>)null!))).Should().Throw<ArgumentNullException>();
        ((Action)(() => registry.AddCommand(null!, LimsJson.Default.RecordSample))).Should().Throw<ArgumentException>();
        ((Action)(() => registry.TryGet((string)null!, out _))).Should().Throw<ArgumentNullException>();
        ((Action)(() => registry.TryGet((Type)null!, out _))).Should().Throw<ArgumentNullException>();
        ((Action)(() => registry.IsSupportedBy(null!, new Lims(null)))).Should().Throw<ArgumentNullException>();
        ((Action)(() => registry.IsSupportedBy(RecordSample.KindName, null!))).Should().Throw<ArgumentNullException>();
        ((Action)(() => registry.Serialize(null!))).Should().Throw<ArgumentNullException>();
        ((Action)(() => registry.Deserialize(null!, "{}"u8))).Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public void Deserialize_QueryKind_IsNotACommand()
    {
        var act = () => OperationRegistry.CreateDefault().Deserialize(QueryKinds.ErpGetLot, "{}"u8);

        act.Should().Throw<ManufacturingOrchestrationException>().Which.ReasonCode.Should().Be(ReasonCodes.UnknownCommandKind);
    }

    [Fact]
    public void Deserialize_JsonNull_ThrowsJsonException()
    {
        var act = () => OperationRegistry.CreateDefault().Deserialize(CommandKinds.NotificationSend, "null"u8);

        act.Should().Throw<JsonException>().WithMessage("*'notification.send'*null*");
    }

    [Fact]
    public void IsSupportedBy_HandlerInterfaceAndDeclaredSupportBothCount()
    {
        var registry = OperationRegistry.CreateDefault().AddCommand(RecordSample.KindName, LimsJson.Default.RecordSample).AddQuery<GetSample, string?>(GetSample.KindName);
        var full = new Lims(supports: null);
        var selective = new Lims(supports: [RecordSample.KindName]);

        registry.IsSupportedBy(RecordSample.KindName, full).Should().BeTrue();
        registry.IsSupportedBy(GetSample.KindName, full).Should().BeTrue();
        registry.IsSupportedBy(GetSample.KindName, selective).Should().BeFalse();
        registry.IsSupportedBy(RecordSample.KindName, selective).Should().BeTrue();
        registry.IsSupportedBy(CommandKinds.NotificationSend, full).Should().BeFalse();
        registry.IsSupportedBy("lims.unknown", full).Should().BeFalse();
    }

    internal static CommandContext Context(string key, SiteId? site = null) => new() { IdempotencyKey = key, CorrelationId = "corr", Site = site };
}

/// <summary>A laboratory's command: record a sample of a lot.</summary>
public sealed record RecordSample : AdapterCommand
{
    public const string KindName = "lims.record-sample";

    public required string Sample { get; init; }

    public required LotId Lot { get; init; }

    public override string Kind => KindName;
}

/// <summary>A laboratory's query: the result of a sample.</summary>
public sealed record GetSample(string Sample) : AdapterQuery<string?>
{
    public const string KindName = "lims.get-sample";
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RecordSample))]
internal sealed partial class LimsJson : JsonSerializerContext;

/// <summary>A LIMS adapter that records what it is asked and optionally says it supports only some operations.</summary>
internal sealed class Lims(IReadOnlyCollection<string>? supports, Func<RecordSample, AdapterResult>? answer = null, Func<GetSample, string?>? result = null)
    : ICommandHandler<RecordSample>, IQueryHandler<GetSample, string?>, IOperationSupport
{
    public List<RecordSample> Recorded { get; } = [];

    public ValueTask<AdapterResult> ExecuteAsync(RecordSample command, CancellationToken cancellationToken = default)
    {
        Recorded.Add(command);
        return ValueTask.FromResult(answer?.Invoke(command) ?? AdapterResult.Success("lims-" + command.Sample));
    }

    public ValueTask<string?> QueryAsync(GetSample query, CancellationToken cancellationToken = default) => ValueTask.FromResult(result is null ? "pass" : result(query));

    public bool Supports(string operation) => supports is null || supports.Contains(operation);
}
