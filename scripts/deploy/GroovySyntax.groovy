// Offline checks of Jenkinsfiles with Debian's Groovy 2.4 (the Groovy that Jenkins core bundles); no
// Jenkins is needed (scripts/validate-deploy.sh, phase jenkins; shared/notes/offline-validation.md §7).
//
//   groovy GroovySyntax.groovy FILE...                  syntax only: parse each file (Groovy's
//                                                        CONVERSION phase, as Jenkins does first)
//   groovy GroovySyntax.groovy --extract DIR FILE       also walk the syntax tree and write to DIR:
//                                                        stages.txt (every stage('…') name, in order)
//                                                        and sh-NN.sh (the script of every `sh` step,
//                                                        for ShellCheck), headed by its line number
//
// With --extract, an `sh` whose script is not a plain string fails: a "…${x}…" GString is
// interpolated by Groovy before the shell runs, which leaks credentials into the build log and
// the process list (Jenkins warns about it); pass values through the environment instead.
// Exit status 1 on any failure.
import org.codehaus.groovy.ast.CodeVisitorSupport
import org.codehaus.groovy.ast.expr.*
import org.codehaus.groovy.control.*

List<String> files = args as List
File outDir = null
if (files && files[0] == '--extract') {
    if (files.size() != 3) { System.err.println 'usage: GroovySyntax.groovy --extract DIR FILE'; System.exit(2) }
    outDir = new File(files[1])
    files = [files[2]]
}
if (!files) { System.err.println 'usage: GroovySyntax.groovy [--extract DIR] FILE...'; System.exit(2) }

int rc = 0
files.each { f ->
    CompilationUnit cu = new CompilationUnit()
    try {
        cu.addSource(new File(f))
        cu.compile(Phases.CONVERSION)
        println "OK   $f"
    } catch (CompilationFailedException e) {
        println "FAIL $f\n${e.message}"
        rc = 1
        return
    }
    if (outDir == null) return

    outDir.mkdirs()
    List<String> stages = []
    int scripts = 0
    def visitor = new CodeVisitorSupport() {
        // The script of an `sh` call: its first argument, or the script: entry of its named arguments.
        Expression scriptOf(MethodCallExpression call) {
            def arguments = call.arguments instanceof TupleExpression ? ((TupleExpression) call.arguments).expressions : []
            if (!arguments) return null
            def first = arguments[0]
            if (first instanceof MapExpression) {
                return ((MapExpression) first).mapEntryExpressions.find {
                    it.keyExpression instanceof ConstantExpression && it.keyExpression.value == 'script'
                }?.valueExpression
            }
            return first
        }

        @Override
        void visitMethodCallExpression(MethodCallExpression call) {
            String name = call.methodAsString
            if (name == 'stage') {
                def a = ((TupleExpression) call.arguments).expressions
                if (a && a[0] instanceof ConstantExpression) stages << a[0].value.toString()
            } else if (name == 'sh') {
                Expression script = scriptOf(call)
                if (script instanceof ConstantExpression && script.value instanceof String) {
                    scripts++
                    String body = script.value
                    // Jenkins runs a script without a shebang with /bin/sh -xe.
                    String head = body.startsWith('#!') ? '' : '#!/bin/sh\n'
                    new File(outDir, String.format('sh-%02d.sh', scripts)).text =
                        head + "# ${f}:${call.lineNumber}\n" + body + '\n'
                } else {
                    println "FAIL $f:${call.lineNumber}: sh script is not a plain string (${script?.getClass()?.simpleName}): " +
                        'Groovy would interpolate it; use single quotes and environment variables'
                    rc = 1
                }
            }
            super.visitMethodCallExpression(call)
        }
    }
    cu.AST.modules.each { module -> module.statementBlock.visit(visitor) }
    new File(outDir, 'stages.txt').text = stages.join('\n') + '\n'
    println "     ${stages.size()} stages, ${scripts} sh scripts -> ${outDir}"
}
System.exit(rc)
