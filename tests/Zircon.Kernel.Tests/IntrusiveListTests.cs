using Zircon.Kernel.Ports;

namespace Zircon.Kernel.Tests;

/// <summary>The intrusive FIFO behind a port's waiters and interrupt packets (the port's lock guards it; the port race tests cover it under threads).</summary>
public class IntrusiveListTests
{
    private sealed class Node(int id)
    {
        public readonly int Id = id;
        public IntrusiveLinks<Node> Links;
    }

    private struct LinksOf : IIntrusiveLinksOf<Node>
    {
        public readonly ref IntrusiveLinks<Node> Of(Node node) => ref node.Links;
    }

    /// <summary>A list of <paramref name="count"/> new nodes, ids 0 up, in order (the list is used only through the returned copy).</summary>
    private static (IntrusiveList<Node, LinksOf> List, Node[] Nodes) Filled(int count)
    {
        var list = new IntrusiveList<Node, LinksOf>();
        Node[] nodes = Enumerable.Range(0, count).Select(i => new Node(i)).ToArray();
        foreach (Node n in nodes)
            list.AddLast(n);
        return (list, nodes);
    }

    private static List<int> Ids(IntrusiveList<Node, LinksOf> list)
    {
        var ids = new List<int>();
        for (Node? n = list.First; n is not null; n = IntrusiveList<Node, LinksOf>.NextOf(n))
            ids.Add(n.Id);
        return ids;
    }

    [Fact]
    public void AddRemoveAndRemoveFirst_KeepFifoOrderAndCount()
    {
        (IntrusiveList<Node, LinksOf> list, Node[] nodes) = Filled(5);
        Assert.Equal([0, 1, 2, 3, 4], Ids(list));

        list.Remove(nodes[2]); // middle
        list.Remove(nodes[4]); // last
        Assert.False(IntrusiveList<Node, LinksOf>.IsLinked(nodes[2]));
        Assert.Null(nodes[2].Links.Next);
        Assert.Null(nodes[2].Links.Previous);
        Assert.Equal([0, 1, 3], Ids(list));
        Assert.Equal(3, list.Count);

        list.AddLast(nodes[2]); // a removed node can be added again, at the end
        Assert.Same(nodes[0], list.RemoveFirst());
        Assert.Equal([1, 3, 2], Ids(list));
        Assert.True(IntrusiveList<Node, LinksOf>.IsLinked(nodes[3]));
        Assert.False(IntrusiveList<Node, LinksOf>.IsLinked(nodes[0]));

        Assert.Same(nodes[1], list.RemoveFirst());
        Assert.Same(nodes[3], list.RemoveFirst());
        Assert.Same(nodes[2], list.RemoveFirst());
        Assert.Null(list.RemoveFirst());
        Assert.Equal(0, list.Count);
        Assert.Null(list.First);
    }

    [Fact]
    public void DetachAll_EmptiesTheList_AndLeavesAChainToWalkOnce()
    {
        (IntrusiveList<Node, LinksOf> list, Node[] nodes) = Filled(3);

        Node? chain = list.DetachAll();
        Assert.Equal(0, list.Count);
        Assert.Null(list.First);
        Assert.All(nodes, n => Assert.False(IntrusiveList<Node, LinksOf>.IsLinked(n)));

        var walked = new List<int>();
        for (Node? n = chain; n is not null; n = IntrusiveList<Node, LinksOf>.TakeNext(n))
            walked.Add(n.Id);
        Assert.Equal([0, 1, 2], walked);
        Assert.All(nodes, n => Assert.True(n.Links.Next is null && n.Links.Previous is null));

        list.AddLast(nodes[1]); // the list is usable again
        Assert.Equal([1], Ids(list));
    }

    [Fact]
    public void Clear_UnlinksEveryNode()
    {
        (IntrusiveList<Node, LinksOf> list, Node[] nodes) = Filled(3);
        list.Clear();
        Assert.Equal(0, list.Count);
        Assert.Null(list.First);
        Assert.All(nodes, n => Assert.True(!n.Links.Linked && n.Links.Next is null && n.Links.Previous is null));
    }
}
