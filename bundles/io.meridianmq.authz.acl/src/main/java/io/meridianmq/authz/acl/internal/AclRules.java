package io.meridianmq.authz.acl.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An ACL file in Mosquitto's {@code acl_file} syntax, parsed:
 *
 * <pre>
 * topic [read|write|readwrite|deny] TOPIC    (before any user line: anonymous clients)
 * user NAME                                  (the topic lines that follow are NAME's)
 * pattern [read|write|readwrite|deny] TOPIC  (every client; %c = client id, %u = user name)
 * group NAME USER...                         (Meridian: the topic lines that follow apply to
 *                                             every listed user)
 * </pre>
 *
 * An access without an explicit grant is denied; a {@code deny} line wins over grants.
 */
final class AclRules {

    enum Access { READ, WRITE, READWRITE, DENY }

    record Rule(Access access, String topic, boolean pattern) {
    }

    /** One problem in the file, to report with its line number. */
    record Problem(int line, String what) {
    }

    private final List<Rule> anonymous = new ArrayList<>();
    private final Map<String, List<Rule>> byUser = new HashMap<>();
    private final List<Rule> patterns = new ArrayList<>();
    private final List<Problem> problems = new ArrayList<>();
    private int ruleCount;

    static AclRules parse(List<String> lines) {
        AclRules acl = new AclRules();
        List<List<Rule>> current = List.of(acl.anonymous);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] words = line.split("\\s+", 3);
            switch (words[0]) {
                case "user" -> {
                    if (words.length < 2) {
                        acl.problems.add(new Problem(i + 1, "user needs a name"));
                        continue;
                    }
                    String name = line.substring(5).strip();
                    current = List.of(acl.byUser.computeIfAbsent(name, k -> new ArrayList<>()));
                }
                case "group" -> {
                    String[] members = line.split("\\s+");
                    if (members.length < 3) {
                        acl.problems.add(new Problem(i + 1, "group needs a name and at least one user"));
                        continue;
                    }
                    List<List<Rule>> targets = new ArrayList<>();
                    for (int m = 2; m < members.length; m++) {
                        targets.add(acl.byUser.computeIfAbsent(members[m], k -> new ArrayList<>()));
                    }
                    current = targets;
                }
                case "topic", "pattern" -> {
                    Rule rule = rule(words, words[0].equals("pattern"));
                    if (rule == null) {
                        acl.problems.add(new Problem(i + 1, "expected " + words[0] + " [read|write|readwrite|deny] TOPIC"));
                        continue;
                    }
                    if (rule.pattern()) {
                        acl.patterns.add(rule);
                    } else {
                        for (List<Rule> target : current) {
                            target.add(rule);
                        }
                    }
                    acl.ruleCount++;
                }
                default -> acl.problems.add(new Problem(i + 1, "unknown keyword '" + words[0] + "'"));
            }
        }
        return acl;
    }

    private static Rule rule(String[] words, boolean pattern) {
        if (words.length == 2) {
            return new Rule(Access.READWRITE, words[1], pattern);
        }
        if (words.length != 3) {
            return null;
        }
        Access access = switch (words[1]) {
            case "read" -> Access.READ;
            case "write" -> Access.WRITE;
            case "readwrite" -> Access.READWRITE;
            case "deny" -> Access.DENY;
            default -> null;
        };
        return access == null ? new Rule(Access.READWRITE, words[1] + " " + words[2], pattern)
                : new Rule(access, words[2], pattern);
    }

    List<Problem> problems() {
        return problems;
    }

    int ruleCount() {
        return ruleCount;
    }

    /**
     * Whether {@code user} (null = anonymous) with {@code clientId} may write to the topic
     * (publish) or read the filter (subscribe).
     */
    boolean allowed(String user, String clientId, String topicOrFilter, boolean write) {
        boolean granted = false;
        List<Rule> own = user == null ? anonymous : byUser.getOrDefault(user, List.of());
        for (Rule r : own) {
            int v = check(r, r.topic(), topicOrFilter, write);
            if (v < 0) {
                return false;
            }
            granted |= v > 0;
        }
        for (Rule r : patterns) {
            // literal substitution: an identity that would change the pattern's shape matches nothing
            String t = io.meridianmq.sdk.topic.Topics.substitute(r.topic(), user, clientId);
            if (t == null) {
                continue;
            }
            int v = check(r, t, topicOrFilter, write);
            if (v < 0) {
                return false;
            }
            granted |= v > 0;
        }
        return granted;
    }

    /**
     * The first {@code pattern} line that cannot apply to this client because its user name or
     * client id is empty or holds {@code +}, {@code #} or {@code /}, or null when all can
     * (a {@code %u} line for an anonymous client is not reported: it simply does not apply).
     */
    Rule unusablePattern(String user, String clientId) {
        for (Rule r : patterns) {
            boolean needsUser = r.topic().contains("%u");
            if (needsUser && user == null) {
                continue;
            }
            if (io.meridianmq.sdk.topic.Topics.substitute(r.topic(), user, clientId) == null) {
                return r;
            }
        }
        return null;
    }

    /** -1 denied by this rule, 1 granted, 0 not concerned. */
    private static int check(Rule r, String pattern, String topicOrFilter, boolean write) {
        if (!covers(pattern, topicOrFilter)) {
            return 0;
        }
        return switch (r.access()) {
            case DENY -> -1;
            case READWRITE -> 1;
            case READ -> write ? 0 : 1;
            case WRITE -> write ? 1 : 0;
        };
    }

    static boolean covers(String pattern, String filter) {
        return io.meridianmq.sdk.topic.Topics.covers(pattern, filter);
    }
}
