// Renders every case of the given cases files with Apache Velocity 1.7 and writes, per case,
// "name\nOK|PARSE_ERROR|RENDER_ERROR\n<byte length>\n<bytes>" to stdout. Driven by tests/differential.rs.
import java.io.*;
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import java.util.*;
import org.apache.velocity.VelocityContext;
import org.apache.velocity.app.VelocityEngine;
import org.apache.velocity.exception.ParseErrorException;

public class Render {
    public static void main(String[] args) throws Exception {
        VelocityEngine engine = new VelocityEngine();
        engine.setProperty("runtime.log.logsystem.class", "org.apache.velocity.runtime.log.NullLogChute");
        engine.setProperty("velocimacro.permissions.allow.inline.local.scope", "true");
        engine.setProperty("directive.foreach.maxloops", "1000");
        engine.init();
        OutputStream out = new BufferedOutputStream(System.out);
        for (String file : args) {
            String text = new String(Files.readAllBytes(Paths.get(file)), StandardCharsets.UTF_8);
            for (String[] c : cases(text)) {
                String status = "OK";
                String result;
                StringWriter w = new StringWriter();
                try {
                    engine.evaluate(context(), w, c[0], c[1]);
                    result = w.toString();
                } catch (ParseErrorException e) {
                    status = "PARSE_ERROR";
                    result = "";
                } catch (Exception e) {
                    status = "RENDER_ERROR";
                    result = "";
                }
                byte[] bytes = result.getBytes(StandardCharsets.UTF_8);
                out.write((c[0] + "\n" + status + "\n" + bytes.length + "\n").getBytes(StandardCharsets.UTF_8));
                out.write(bytes);
            }
        }
        out.flush();
    }

    // A case starts with a line "%%%% name"; its template is every following line up to the next
    // case, without the final line break.
    static List<String[]> cases(String text) {
        List<String[]> result = new ArrayList<>();
        String name = null;
        StringBuilder body = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            if (line.startsWith("%%%% ")) {
                if (name != null) result.add(new String[] {name, strip(body)});
                name = line.substring(5).trim();
                body.setLength(0);
            } else if (name != null) {
                body.append(line).append('\n');
            }
        }
        if (name != null) result.add(new String[] {name, strip(body)});
        return result;
    }

    static String strip(StringBuilder b) {
        return b.length() > 0 ? b.substring(0, b.length() - 1) : "";
    }

    // Must match `differential_scope()` in tests/differential.rs.
    static VelocityContext context() {
        VelocityContext ctx = new VelocityContext();
        ctx.put("name", "World");
        ctx.put("empty", "");
        ctx.put("n", Integer.valueOf(42));
        ctx.put("neg", Integer.valueOf(-7));
        ctx.put("big", Long.valueOf(3000000000L));
        ctx.put("pi", Double.valueOf(3.5));
        ctx.put("flag", Boolean.TRUE);
        ctx.put("off", Boolean.FALSE);
        ctx.put("list", new ArrayList<Object>(Arrays.asList("a", "b", "c")));
        ctx.put("nums", new ArrayList<Object>(Arrays.asList(1, 2, 3, 4, 5)));
        ctx.put("none", new ArrayList<Object>());
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("k", "v");
        map.put("n", 1);
        map.put("inner", new LinkedHashMap<String, Object>(Map.of("x", "y")));
        ctx.put("map", map);
        List<Object> people = new ArrayList<>();
        people.add(person("Ann", 31));
        people.add(person("Bob", 25));
        people.add(person("Cy", 40));
        ctx.put("people", people);
        ctx.put("text", "  Hello, Velocity World  ");
        ctx.put("csv", "a,b,,c");
        return ctx;
    }

    static Map<String, Object> person(String name, int age) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("age", age);
        return m;
    }
}
