using DockPS.Engine.Events;
using DockPS.Engine.Filters;

namespace DockPS.Engine.Tests.Events;

public class EventFilterTests
{
    private static EngineEvent Event(string type, string action, string id = "abc123", string? name = null, Dictionary<string, string>? attrs = null)
    {
        var attributes = attrs ?? new Dictionary<string, string>();
        if (name is not null) { attributes["name"] = name; }
        return new EngineEvent(type, action, id, attributes, 1);
    }

    private static EventFilter Filter(string json) => new(FilterSet.Parse(json));

    [Fact]
    public void NoFilterPassesEverything() => Assert.True(EventFilter.None.Includes(Event("daemon", "reload")));

    [Fact]
    public void TypeFilterSelectsObjectTypes()
    {
        var f = Filter("""{"type":["daemon"]}""");
        Assert.True(f.Includes(Event("daemon", "reload")));
        Assert.False(f.Includes(Event("container", "start")));
    }

    [Fact]
    public void EventFilterMatchesTheActionBeforeAColon()
    {
        var f = Filter("""{"event":["exec_start"]}""");
        Assert.True(f.Includes(Event("container", "exec_start: sh -c true")));
        Assert.False(f.Includes(Event("container", "start")));
    }

    [Fact]
    public void ObjectFilterMatchesIdPrefixOrNameAndExcludesOtherTypes()
    {
        var f = Filter("""{"container":["web"]}""");
        Assert.True(f.Includes(Event("container", "start", id: "ffff", name: "web")));
        Assert.True(Filter("""{"container":["abc"]}""").Includes(Event("container", "start", id: "abc123")));
        Assert.False(f.Includes(Event("container", "start", id: "ffff", name: "db")));
        Assert.False(f.Includes(Event("image", "pull", id: "web")));
    }

    [Fact]
    public void LabelFilterReadsActorAttributes()
    {
        var f = Filter("""{"label":["env=prod"]}""");
        Assert.True(f.Includes(Event("container", "start", attrs: new() { ["env"] = "prod" })));
        Assert.False(f.Includes(Event("container", "start", attrs: new() { ["env"] = "dev" })));
    }

    [Fact]
    public void KeysCombineWithAnd()
    {
        var f = Filter("""{"type":["container"],"event":["die"]}""");
        Assert.True(f.Includes(Event("container", "die")));
        Assert.False(f.Includes(Event("container", "start")));
        Assert.False(f.Includes(Event("image", "die")));
    }

    [Theory]
    [InlineData("""{"bogus":["x"]}""", "invalid filter 'bogus'")]
    [InlineData("""{"type":["spaceship"]}""", "invalid filter 'type=spaceship'")]
    public void UnknownKeysAndTypesAreRejected(string json, string message)
    {
        var e = Assert.Throws<FilterException>(() => Filter(json));
        Assert.Equal(message, e.Message);
    }
}
