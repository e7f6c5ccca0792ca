package dev.mailroom;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The import rules of the rooms, as the README's Layout states them, checked on the compiled main
 * classes (every reference counts: imports, signatures, annotations, calls). Where a lower room
 * needs something of a higher one, the lower room owns an interface that the higher one implements.
 */
@AnalyzeClasses(packages = "dev.mailroom", importOptions = ImportOption.DoNotIncludeTests.class)
class RoomsTest {

  @ArchTest
  static final ArchRule roomsAreFreeOfCycles =
      slices().matching("dev.mailroom.(*)..").namingSlices("$1/").should().beFreeOfCycles();

  @ArchTest
  static final ArchRule systemImportsNoOtherRoom =
      noClasses()
          .that()
          .resideInAPackage("dev.mailroom.system..")
          .should()
          .dependOnClassesThat(
              resideInAPackage("dev.mailroom..")
                  .and(not(resideInAPackage("dev.mailroom.system.."))))
          .as("system/ imports no other room");

  @ArchTest
  static final ArchRule messageImportsOnlySystem =
      noClasses()
          .that()
          .resideInAPackage("dev.mailroom.message..")
          .should()
          .dependOnClassesThat(
              resideInAPackage("dev.mailroom..")
                  .and(not(resideInAnyPackage("dev.mailroom.message..", "dev.mailroom.system.."))))
          .as("message/ imports only system/");
}
