package io.meridianmq.sdk.topic;

import static org.junit.Assert.assertEquals;

import org.junit.Test;

public class TopicsTest {

    private static void match(String filter, String topic, boolean expected) {
        assertEquals(filter + " vs " + topic, expected, Topics.matches(filter, topic));
    }

    @Test
    public void literalFilters() {
        match("a/b", "a/b", true);
        match("a/b", "a/bc", false);
        match("a/b", "a", false);
        match("a", "a/b", false);
        match("/", "/", true);
        match("a//b", "a//b", true);
    }

    @Test
    public void singleLevelWildcard() {
        match("+", "a", true);
        match("+", "a/b", false);
        match("a/+", "a/b", true);
        match("a/+", "a/", true);
        match("a/+", "a", false);
        match("a/+/c", "a/b/c", true);
        match("a/+/c", "a//c", true);
        match("+/+", "/", true);
        match("/+", "/finance", true);
        match("+", "/finance", false);
    }

    @Test
    public void multiLevelWildcard() {
        match("#", "a", true);
        match("#", "a/b/c", true);
        match("sport/#", "sport", true);
        match("sport/#", "sport/tennis/player1", true);
        match("sport/#", "sports", false);
        match("+/#", "a", true);
        match("a/+/#", "a/b", true);
        match("a/+/#", "a", false);
    }

    @Test
    public void dollarTopicsAreNotMatchedByFirstLevelWildcards() {
        match("#", "$SYS/broker", false);
        match("+/broker", "$SYS/broker", false);
        match("$SYS/#", "$SYS/broker", true);
        match("$SYS/+", "$SYS/broker", true);
        match("a/#", "a/$b", true);
    }

    @Test
    public void validation() {
        assertEquals(true, Topics.isValidTopicFilter("a/+/b/#"));
        assertEquals(true, Topics.isValidTopicFilter("#"));
        assertEquals(true, Topics.isValidTopicFilter("+"));
        assertEquals(false, Topics.isValidTopicFilter("a/#/b"));
        assertEquals(false, Topics.isValidTopicFilter("a+"));
        assertEquals(false, Topics.isValidTopicFilter("a/b#"));
        assertEquals(false, Topics.isValidTopicFilter(""));
        assertEquals(false, Topics.isValidTopicName("a/+"));
        assertEquals(false, Topics.isValidTopicName("a/#"));
        assertEquals(false, Topics.isValidTopicName(""));
        assertEquals(false, Topics.isValidTopicName("a\u0000b"));
        assertEquals(true, Topics.isValidTopicName("a/b"));
    }

    @Test
    public void coverage() {
        assertEquals(true, Topics.covers("sensors/#", "sensors/a/+"));
        assertEquals(true, Topics.covers("sensors/+/t", "sensors/a/t"));
        assertEquals(true, Topics.covers("sensors/#", "sensors"));
        assertEquals(false, Topics.covers("sensors/+", "sensors/#"));
        assertEquals(false, Topics.covers("sensors/a", "sensors/+"));
        assertEquals(false, Topics.covers("#", "$SYS/broker"));
        assertEquals(true, Topics.covers("$SYS/#", "$SYS/broker"));
    }
}
