package digital.govuk.access.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The README is the front door and the detail lives in docs/: every relative link between them (and the chart's
 * README) reaches a file, and every #anchor a heading of it, so moving a section cannot leave a reader stranded.
 */
class DocLinksTest {
    static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
    static final Pattern FENCE = Pattern.compile("(?ms)^```.*?^```");

    static List<Path> pages() throws IOException {
        List<Path> pages = new ArrayList<>(List.of(Path.of("README.md"), Path.of("helm/engineer-access-operator/README.md")));
        try (Stream<Path> docs = Files.list(Path.of("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        return pages;
    }

    @Test
    void everyRelativeLinkReachesAFileAndEveryAnchorAHeading() throws IOException {
        List<String> broken = new ArrayList<>();
        int links = 0;
        for (Path page : pages()) {
            String text = FENCE.matcher(Files.readString(page)).replaceAll("");
            Matcher m = LINK.matcher(text);
            while (m.find()) {
                String target = m.group(1);
                if (target.matches("^[a-z]+:.*")) {
                    continue; // http:, https:, mailto:
                }
                links++;
                int hash = target.indexOf('#');
                String file = hash < 0 ? target : target.substring(0, hash);
                Path resolved = file.isEmpty() ? page : page.toAbsolutePath().getParent().resolve(file).normalize();
                if (!Files.exists(resolved)) {
                    broken.add(page + ": " + target + " (no such file)");
                } else if (hash >= 0 && !anchors(resolved).contains(target.substring(hash + 1))) {
                    broken.add(page + ": " + target + " (no such heading)");
                }
            }
        }
        assertThat(links).as("links found").isGreaterThan(50);
        assertThat(broken).isEmpty();
    }

    @Test
    void theReadmesPullRequestExampleIsTheOneTheCiStepTestPrints() throws IOException {
        Pattern markdown = Pattern.compile("(?s)```markdown\n.*?\n```");
        Matcher readme = markdown.matcher(Files.readString(Path.of("README.md")));
        Matcher gitops = markdown.matcher(Files.readString(GitOpsStepTest.DOC));
        assertThat(readme.find()).as("README.md has a markdown example").isTrue();
        assertThat(gitops.find()).isTrue();
        assertThat(readme.group()).as("README.md's example is docs/gitops.md's, which GitOpsStepTest checks").isEqualTo(gitops.group());
    }

    /** The anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces to hyphens. */
    static Set<String> anchors(Path page) throws IOException {
        Set<String> anchors = new TreeSet<>();
        if (!page.toString().endsWith(".md")) {
            return anchors;
        }
        for (String line : FENCE.matcher(Files.readString(page)).replaceAll("").split("\n")) {
            if (line.matches("^#{1,6} .*")) {
                anchors.add(line.replaceFirst("^#+\\s*", "").strip().toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "")
                        .replace(' ', '-'));
            }
        }
        return anchors;
    }
}
