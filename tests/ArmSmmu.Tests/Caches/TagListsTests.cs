using ArmSmmu.Caches;

namespace ArmSmmu.Tests.Caches;

public class TagListsTests
{
    private static List<int> ListOf(TagLists lists, ulong tag)
    {
        var slots = new List<int>();
        for (int index = lists.Head(tag); index >= 0; index = lists.Next(index))
        {
            slots.Add(index);
        }

        return slots;
    }

    [Fact]
    public void A_tag_whose_list_empties_leaves_the_tags_and_the_other_lists_whole()
    {
        // Three tags; the first one's list empties, so the last tag moves into its place in the dense array.
        var lists = new TagLists(8);
        lists.Link(0, 0xA);
        lists.Link(1, 0xB);
        lists.Link(2, 0xC);
        lists.Link(3, 0xB);
        lists.Link(4, 0xC);

        lists.Unlink(0, 0xA);

        Assert.Equal(2, lists.TagCount);
        Assert.Equal([0xBUL, 0xCUL], lists.Tags.ToArray().Order());
        Assert.False(lists.Has(0xA));
        Assert.Equal(-1, lists.Head(0xA));
        Assert.Equal([3, 1], ListOf(lists, 0xB));
        Assert.Equal([4, 2], ListOf(lists, 0xC));

        // The moved tag (C) empties next: its new position must have been recorded for B to stay listed.
        lists.Unlink(4, 0xC);
        lists.Unlink(2, 0xC);
        Assert.Equal([0xBUL], lists.Tags.ToArray());
        Assert.Equal([3, 1], ListOf(lists, 0xB));

        // A slot from the middle, then the head: the list and the tag follow.
        lists.Link(5, 0xB);
        lists.Unlink(3, 0xB);
        Assert.Equal([5, 1], ListOf(lists, 0xB));
        lists.Unlink(5, 0xB);
        lists.Unlink(1, 0xB);
        Assert.Equal(0, lists.TagCount);
        Assert.True(lists.Tags.IsEmpty);
    }

    [Fact]
    public void Tags_come_and_go_in_any_order_without_losing_one()
    {
        var lists = new TagLists(64);
        var random = new Random(12);
        var model = new Dictionary<ulong, List<int>>();
        var free = Enumerable.Range(0, 64).ToList();
        for (int step = 0; step < 2_000; step++)
        {
            if (free.Count > 0 && (random.Next(2) == 0 || model.Count == 0))
            {
                int slot = free[random.Next(free.Count)];
                free.Remove(slot);
                ulong tag = (ulong)random.Next(10);
                lists.Link(slot, tag);
                model.TryAdd(tag, []);
                model[tag].Insert(0, slot);
            }
            else
            {
                ulong tag = model.Keys.ElementAt(random.Next(model.Count));
                int slot = model[tag][random.Next(model[tag].Count)];
                lists.Unlink(slot, tag);
                model[tag].Remove(slot);
                if (model[tag].Count == 0)
                {
                    model.Remove(tag);
                }

                free.Add(slot);
            }

            Assert.Equal(model.Keys.Order(), lists.Tags.ToArray().Order());
            foreach (var (tag, slots) in model)
            {
                Assert.Equal(slots, ListOf(lists, tag));
            }
        }
    }
}
