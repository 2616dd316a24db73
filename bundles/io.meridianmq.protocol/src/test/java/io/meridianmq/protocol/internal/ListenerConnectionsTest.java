package io.meridianmq.protocol.internal;

import static org.junit.Assert.assertEquals;

import java.util.List;

import org.junit.Test;

/** A listener's list of open connections: newest first, any member can leave, leaving twice is harmless. */
public class ListenerConnectionsTest {

    private static final class Member extends ListedConnection {
        final String name;

        Member(String name, ListenerConnections list) {
            this.name = name;
            this.listedIn = list;
        }
    }

    private static List<String> names(ListenerConnections list) {
        return list.snapshot().stream().map(c -> ((Member) c).name).toList();
    }

    @Test
    public void membersJoinNewestFirstAndLeaveFromAnywhere() {
        ListenerConnections list = new ListenerConnections();
        Member a = new Member("a", list);
        Member b = new Member("b", list);
        Member c = new Member("c", list);
        Member d = new Member("d", list);
        for (Member m : List.of(a, b, c, d)) {
            m.listed();
        }
        assertEquals(List.of("d", "c", "b", "a"), names(list));
        b.unlisted(); // the middle
        assertEquals(List.of("d", "c", "a"), names(list));
        d.unlisted(); // the newest
        assertEquals(List.of("c", "a"), names(list));
        a.unlisted(); // the oldest
        assertEquals(List.of("c"), names(list));
        assertEquals(1, list.size());
    }

    @Test
    public void leavingTwiceOrWithoutJoiningChangesNothing() {
        ListenerConnections list = new ListenerConnections();
        Member a = new Member("a", list);
        Member b = new Member("b", list);
        Member never = new Member("never", list);
        a.listed();
        b.listed();
        a.unlisted();
        a.unlisted();
        never.unlisted();
        assertEquals(List.of("b"), names(list));
        assertEquals(1, list.size());
        b.unlisted();
        assertEquals(List.of(), names(list));
        assertEquals(0, list.size());
        new Member("untracked", null).unlisted(); // a connection made without a list (tests)
    }
}
