import * as vscode from 'vscode';
import { isEmptySpec } from './runFilterSpec';
import { longFilterText, shortFilterText } from './runFilterText';
import type { RunsView } from './runsView';
import { findSavedFilter, readSavedFilters, savedFiltersKey, validateFilterName, withoutSavedFilter, withSavedFilter, type SavedFilter } from './savedFilters';

type View = Pick<RunsView, 'filter' | 'setFilter'>;

const deleteButton: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('trash'), tooltip: 'Delete Saved Filter' };

/** Save, apply and delete named filters of this workspace. */
export class SavedFilterCommands {
  constructor(
    private readonly view: View,
    private readonly state: vscode.Memento,
  ) {}

  private get saved(): SavedFilter[] {
    return readSavedFilters(this.state.get<unknown>(savedFiltersKey));
  }

  private async store(list: readonly SavedFilter[]): Promise<void> {
    await this.state.update(savedFiltersKey, list);
  }

  async save(): Promise<void> {
    const spec = this.view.filter;
    if (isEmptySpec(spec)) {
      const pick = await vscode.window.showInformationMessage('No filter is active in the Runs view, so there is nothing to save.', 'Filter Runs…');
      if (pick) await vscode.commands.executeCommand('difyTrace.filterRuns');
      return;
    }
    const existing = this.saved;
    const name = await vscode.window.showInputBox({
      title: 'Save Filter',
      prompt: `A name for this filter (${longFilterText(spec)}), kept in this workspace.`,
      value: shortFilterText(spec, 80),
      ignoreFocusOut: true,
      validateInput: (value) => {
        const problem = validateFilterName(value);
        if (problem) return problem;
        return findSavedFilter(existing, value) ? { message: 'A saved filter has this name; Enter replaces it.', severity: vscode.InputBoxValidationSeverity.Info } : undefined;
      },
    });
    if (name === undefined || validateFilterName(name) !== undefined) return;
    await this.store(withSavedFilter(this.saved, name, spec));
    void vscode.window.showInformationMessage(`Saved the filter "${name.trim()}". Apply it with "Dify Trace: Apply Saved Filter…".`);
  }

  /** A quick pick of the saved filters: Enter applies one, its trash button deletes it. */
  async apply(): Promise<void> {
    if (this.saved.length === 0) {
      void vscode.window.showInformationMessage('No saved filters in this workspace yet. Filter the Runs view, then run "Dify Trace: Save Filter…".');
      return;
    }
    const pick = vscode.window.createQuickPick<vscode.QuickPickItem & { readonly saved: SavedFilter }>();
    const fill = () => {
      pick.items = this.saved.map((saved) => ({ label: saved.name, description: shortFilterText(saved.spec), detail: longFilterText(saved.spec), saved, buttons: [deleteButton] }));
    };
    pick.title = 'Apply Saved Filter';
    pick.placeholder = 'Pick a filter to show its runs';
    pick.matchOnDescription = true;
    fill();
    const chosen = await new Promise<SavedFilter | undefined>((resolve) => {
      pick.onDidAccept(() => resolve(pick.selectedItems[0]?.saved));
      pick.onDidHide(() => resolve(undefined));
      pick.onDidTriggerItemButton(({ item }) => {
        void this.store(withoutSavedFilter(this.saved, item.saved.name)).then(() => {
          if (this.saved.length === 0) pick.hide();
          else fill();
        });
      });
      pick.show();
    });
    pick.dispose();
    if (chosen) await this.view.setFilter(chosen.spec);
  }

  async delete(): Promise<void> {
    const saved = this.saved;
    if (saved.length === 0) {
      void vscode.window.showInformationMessage('No saved filters in this workspace.');
      return;
    }
    const picked = await vscode.window.showQuickPick(
      saved.map((s) => ({ label: s.name, description: shortFilterText(s.spec), saved: s })),
      { title: 'Delete Saved Filters', placeHolder: 'Pick the filters to delete', canPickMany: true },
    );
    if (!picked || picked.length === 0) return;
    let list = this.saved;
    for (const p of picked) list = withoutSavedFilter(list, p.saved.name);
    await this.store(list);
  }
}
