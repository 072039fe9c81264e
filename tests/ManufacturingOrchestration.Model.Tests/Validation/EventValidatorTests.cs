using System.Text.Json;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Model.Validation;

namespace ManufacturingOrchestration.Model.Tests.Validation;

public class EventValidatorTests
{
    private static EventValidator CreateSut() => EventValidator.Default;

    public static TheoryData<string> PayloadTypes()
    {
        var data = new TheoryData<string>();
        foreach (var payload in Samples.AllPayloads())
        {
            data.Add(payload.EventType);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(PayloadTypes))]
    public void Validate_EverySample_IsValid(string eventType)
    {
        var envelope = Samples.Envelope(Samples.AllPayloads().Single(p => p.EventType == eventType));

        CreateSut().Validate(envelope).Should().BeEmpty();
    }

    [Fact]
    public void Validate_BrokenEnvelopeAndPayload_ReportsEveryProblemWithPaths()
    {
        var envelope = Samples.Envelope(Samples.GoodsReceived() with { Lot = default, Quantity = Quantity.Each(0) }) with
        {
            Id = "",
            SpecVersion = "0.3",
            Sequence = -1,
            DataContentType = "text/csv",
            Extensions = new Dictionary<string, JsonElement> { ["Shift"] = default },
        };

        var errors = CreateSut().Validate(envelope);

        errors.Select(e => $"{e.Path} {e.ReasonCode.Code}").Should().BeEquivalentTo(
            "$.id payload.required",
            "$.specversion payload.unsupported-specversion",
            "$.sequence payload.out-of-range",
            "$.datacontenttype payload.out-of-range",
            "$.partitionkey payload.required",
            "$.Shift payload.out-of-range",
            "$.data.lot payload.invalid-identifier",
            "$.data.quantity.value payload.non-positive-quantity");
    }

    [Fact]
    public void Validate_TypeDoesNotMatchPayload_ReportsMismatch()
    {
        var envelope = Samples.Envelope(Samples.GoodsReceived()) with { Type = EventTypes.LotReleased };

        CreateSut().Validate(envelope).Should().ContainSingle()
            .Which.Should().Match<ValidationError>(e => e.Path == "$.type" && e.ReasonCode == ReasonCodes.EventTypeMismatch);
    }

    [Fact]
    public void Validate_UnknownType_ReportsUnknownEventType()
    {
        var envelope = Samples.Envelope(Samples.GoodsReceived()) with { Type = "mfg.unknown.v1" };

        CreateSut().Validate(envelope).Should().Contain(e => e.Path == "$.type" && e.ReasonCode == ReasonCodes.UnknownEventType);
    }

    [Fact]
    public void Validate_DefaultQuantityWithoutUnit_ReportsInvalidUnit()
    {
        var envelope = Samples.Envelope(Samples.GoodsReceived() with { Quantity = default });

        CreateSut().Validate(envelope).Should().ContainSingle()
            .Which.Should().Match<ValidationError>(e => e.Path == "$.data.quantity.unit" && e.ReasonCode == ReasonCodes.InvalidUnit);
    }

    [Fact]
    public void Validate_NullRequiredReference_ReportsRequired()
    {
        var envelope = new EventEnvelope { Id = "1", Source = "wms://x", Type = EventTypes.StockMoved, Data = new StockMoved { Movement = null! } };

        CreateSut().Validate(envelope).Should().ContainSingle()
            .Which.Should().Match<ValidationError>(e => e.Path == "$.data.movement" && e.ReasonCode == ReasonCodes.Required);
    }

    [Fact]
    public void Validate_UndefinedEnumValue_ReportsOutOfRange()
    {
        var envelope = Samples.Envelope(Samples.GoodsReceived() with { Category = (StockCategory)42 });

        CreateSut().Validate(envelope).Should().ContainSingle()
            .Which.Should().Match<ValidationError>(e => e.Path == "$.data.category" && e.ReasonCode == ReasonCodes.OutOfRange);
    }

    [Fact]
    public void ValidatePayload_TimerElapsedWithoutTimerIdOrPurpose_ReportsEachByPath()
    {
        var elapsed = (TimerElapsed)Samples.AllPayloads().Single(p => p is TimerElapsed);

        var errors = CreateSut().ValidatePayload(elapsed with { TimerId = " ", Purpose = "" });

        errors.Select(e => e.Path).Should().BeEquivalentTo("$.data.timerId", "$.data.purpose");
    }

    [Fact]
    public void ValidatePayload_ScrapAndGoodQuantityInDifferentUnits_ReportsUnitMismatch()
    {
        var scrap = (ScrapReported)Samples.AllPayloads().Single(p => p is ScrapReported);

        var errors = CreateSut().ValidatePayload(scrap with { GoodQuantity = Quantity.Each(400) });

        errors.Should().ContainSingle().Which.Should().Match<ValidationError>(e => e.Path == "$.data.goodQuantity.unit" && e.ReasonCode == ReasonCodes.UnitMismatch);
    }

    [Fact]
    public void ValidatePayload_MrbDecisionWithoutLines_ReportsRequired()
    {
        var decision = (MrbDispositionDecided)Samples.AllPayloads().Single(p => p is MrbDispositionDecided);

        CreateSut().ValidatePayload(decision with { Lines = [] }).Should().ContainSingle()
            .Which.Should().Match<ValidationError>(e => e.Path == "$.data.lines" && e.ReasonCode == ReasonCodes.Required);
    }

    [Fact]
    public void ValidatePayload_FailedInspectionWithoutSeverity_ReportsOutOfRange()
    {
        CreateSut().ValidatePayload(Samples.InspectionFailed() with { Severity = DefectSeverity.None }).Should().ContainSingle()
            .Which.Path.Should().Be("$.data.severity");
    }

    [Fact]
    public void ValidatePayload_ContainmentPathNotFromOriginToLot_ReportsPath()
    {
        var request = (LotContainmentRequested)Samples.AllPayloads().Single(p => p is LotContainmentRequested);

        CreateSut().ValidatePayload(request with { Path = [request.Lot, request.OriginLot] }).Should().ContainSingle()
            .Which.Should().Match<ValidationError>(e => e.Path == "$.data.path" && e.ReasonCode == ReasonCodes.OutOfRange);
        CreateSut().ValidatePayload(request with { Path = [request.Lot] }).Should().ContainSingle()
            .Which.Should().Match<ValidationError>(e => e.Path == "$.data.path" && e.ReasonCode == ReasonCodes.Required);
    }

    [Fact]
    public void ValidatePayload_ProductionConfirmedWithZeroYield_IsValid()
    {
        var confirmation = (ProductionConfirmed)Samples.AllPayloads().Single(p => p is ProductionConfirmed);

        CreateSut().ValidatePayload(confirmation with { Yield = Quantity.Each(0), Scrap = Quantity.Each(5) }).Should().BeEmpty();
    }

    [Fact]
    public void ValidationError_ToString_ShowsPathCodeAndMessage()
    {
        var error = new ValidationError("$.data.lot", ReasonCodes.InvalidIdentifier, "A lot identifier must not be empty.");

        error.ToString().Should().Be("$.data.lot: payload.invalid-identifier: A lot identifier must not be empty.");
        error.Should().Be(new ValidationError("$.data.lot", ReasonCodes.InvalidIdentifier, "A lot identifier must not be empty."));
    }
}
