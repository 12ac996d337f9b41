package io.eunomia.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.eunomia.rules.internal.Ast;
import io.eunomia.rules.internal.ConditionException;
import io.eunomia.rules.internal.Lexer;
import io.eunomia.rules.internal.Parser;
import io.eunomia.rules.internal.Token;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConditionParserTest {

    @Test
    void lexesBareWordsQuotesAndOperators() throws Exception {
        List<Token> t = Lexer.tokens("fd.name=/etc/x and proc.pid!=1 or a<=2 and b>=3 and c<4 and d>5 and e=='q \\' s' (x,\"y\")");
        assertThat(t).extracting(Token::text).containsExactly("fd.name", "=", "/etc/x", "and", "proc.pid", "!=", "1", "or",
                "a", "<=", "2", "and", "b", ">=", "3", "and", "c", "<", "4", "and", "d", ">", "5", "and", "e", "=", "q ' s",
                "(", "x", ",", "y", ")", "");
        assertThat(t.get(26).kind()).isEqualTo(Token.Kind.STRING);
        assertThat(t.get(26).offset()).isEqualTo(71);
        assertThat(t.getLast().kind()).isEqualTo(Token.Kind.EOF);
    }

    @ParameterizedTest
    @ValueSource(strings = {"=", "!=", "<", "<=", ">", ">=", "contains", "icontains", "startswith", "endswith", "glob"})
    void everyBinaryOperator(String op) throws Exception {
        Ast a = Parser.parse("proc.name " + op + " 'v'");
        assertThat(a).isEqualTo(new Ast.Compare("proc.name", op, List.of(new Ast.Value("v", true, 11 + op.length())), false, 0, 10));
    }

    @ParameterizedTest
    @ValueSource(strings = {"in", "pmatch"})
    void listOperators(String op) throws Exception {
        Ast.Compare c = (Ast.Compare) Parser.parse("fd.name " + op + " (/a, \"b c\", lst)");
        assertThat(c.op()).isEqualTo(op);
        assertThat(c.values()).extracting(Ast.Value::text).containsExactly("/a", "b c", "lst");
        assertThat(c.values()).extracting(Ast.Value::quoted).containsExactly(false, true, false);
        assertThat(((Ast.Compare) Parser.parse("fd.name in ()")).values()).isEmpty();
    }

    @Test
    void existsMacrosNotAndPrecedence() throws Exception {
        Ast a = Parser.parse("not m1 and fd.name exists or (m2 or not not m3)");
        assertThat(a).isInstanceOf(Ast.Or.class);
        Ast.Or or = (Ast.Or) a;
        assertThat(or.terms().getFirst()).isEqualTo(new Ast.And(List.of(new Ast.Not(new Ast.MacroRef("m1", 4), 0),
                new Ast.Exists("fd.name", 11)), 0));
        assertThat(or.terms().get(1)).isEqualTo(new Ast.Or(List.of(new Ast.MacroRef("m2", 30),
                new Ast.Not(new Ast.Not(new Ast.MacroRef("m3", 44), 40), 36)), 30));
    }

    @Test
    void andBindsTighterThanOr() throws Exception {
        Ast.Or or = (Ast.Or) Parser.parse("a or b and c");
        assertThat(or.terms().get(1)).isInstanceOf(Ast.And.class);
    }

    private static ConditionException fails(String cond) {
        return catchThrowableOfType(ConditionException.class, () -> Parser.parse(cond));
    }

    @Test
    void syntaxErrorsSayWhereFoundAndExpected() {
        assertThat(fails("")).hasMessageContaining("empty condition");
        assertThat(fails("proc.name = ")).hasMessage("found the end of the condition after '=', expected a value")
                .extracting(ConditionException::offset).isEqualTo(12);
        assertThat(fails("(a and b")).hasMessageStartingWith("found the end of the condition, expected ')'");
        assertThat(fails("a and b)")).hasMessage("found a ')' without its '(', expected 'and', 'or' or the end of the condition")
                .extracting(ConditionException::offset).isEqualTo(7);
        assertThat(fails("fd.name in /etc")).hasMessageStartingWith("found '/etc' after 'in', expected '('");
        assertThat(fails("fd.name in (a b)")).hasMessage("found 'b' in a value list, expected ',' or ')'");
        assertThat(fails("proc.name bash")).hasMessageStartingWith("found 'bash' after field proc.name, expected an operator");
        assertThat(fails("proc.name = 'open")).hasMessageStartingWith("unterminated string").extracting(ConditionException::offset)
                .isEqualTo(12);
        assertThat(fails("and x")).hasMessageStartingWith("found 'and', expected a field comparison");
    }

    @ParameterizedTest
    @ValueSource(strings = {"and", "or", "not", "in", "pmatch", "exists", "contains", "icontains", "startswith", "endswith", "glob"})
    void aKeywordIsNeverABareValue(String keyword) throws Exception {
        assertThat(fails("proc.name = " + keyword)).hasMessage("found the keyword '" + keyword + "' where a value belongs: quote it (\""
                + keyword + "\") if you mean that text, else a value is missing before it")
                .extracting(ConditionException::offset).isEqualTo(12);
        assertThat(fails("proc.name in (sh, " + keyword + ")")).extracting(ConditionException::offset).isEqualTo(18);
        assertThat(fails("proc.name = and proc.pid = 1")).extracting(ConditionException::offset).isEqualTo(12);
        // quoted, it is text
        assertThat(Parser.parse("proc.name = '" + keyword + "'")).isEqualTo(new Ast.Compare("proc.name", "=",
                List.of(new Ast.Value(keyword, true, 12)), false, 0, 10));
    }
}
